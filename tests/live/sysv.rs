//! SysV, differential: for every converted init script of the corpus, the legacy side
//! (`/etc/init.d/NAME start`, run through the real script with the container's real
//! `start-stop-daemon`, `/lib/lsb/init-functions` and `/lib/init/init-d-script`) and our
//! `NAME.service` are started in turn; the daemons each starts must be the same process (argv,
//! user, groups, working directory, umask, nice value, limits, capabilities, standard streams
//! and environment), and `stop` must end them. Wrapped scripts: the wrapper unit starts and stops
//! the script's daemons, compared the same way.
//!
//! The legacy side runs as sysvinit's `/etc/init.d/rc` runs a script at boot: from `/`, umask
//! 022, `env -i PATH=/sbin:/usr/sbin:/bin:/usr/bin`, standard streams on a log file (the console),
//! and the limits the kernel gives init (open files 1024, core 0:unlimited, locked memory 8M,
//! stack 8M:unlimited; the hard limit of open files stays the container's, since nspawn drops
//! CAP_SYS_RESOURCE and a script's `ulimit -n 8192` could not raise the kernel's 4096 here). The variables sysvinit's init adds (`RUNLEVEL`, `PREVLEVEL`,
//! `INIT_VERSION`, `CONSOLE`) are left out: they would only be more legacy-only variables. It is
//! started by the container's PID 1 (see [`Container::run_as_init`]), so that both sides run
//! under the container's capability bounding set and seccomp filter.

use crate::compare::{self, Diff, Known, Rule, judge};
use crate::corpus;
use crate::harness::{self, Container, Proc};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// How the legacy side starts a script.
pub const LEGACY: &str = "cd / && umask 022 && exec prlimit --nofile=1024: --core=0:unlimited \
                      --memlock=8388608:8388608 --stack=8388608:unlimited -- \
                      env -i PATH=/sbin:/usr/sbin:/bin:/usr/bin";

struct Script {
    case: &'static str,
    /// `source.file` of the report item.
    file: &'static str,
    unit: &'static str,
    /// Where stand-in daemons go and how they behave (recorder modes, see `recorder.rs`):
    /// what each program does is not in the script, it is the daemon's own behaviour.
    stand_ins: &'static [(&'static str, &'static str)],
    /// Stand-ins written as small shell scripts (control programs).
    shell_stand_ins: &'static [(&'static str, &'static str)],
    /// The shipped defaults switch the script off: this turns it on for the comparison.
    toggle_on: Option<&'static str>,
    /// Shell run inside first: host fixtures the corpus tree lacks (directories a package
    /// would have created).
    setup: &'static str,
    /// Why the script's own stop action fails (a legacy bug the unit does not have).
    legacy_stop_fails: Option<&'static str>,
    /// Why the legacy side cannot run here, and what the daemon must look like instead.
    no_legacy: Option<(&'static str, Expect)>,
    known: &'static [Known],
}

#[derive(Clone, Copy)]
struct Expect {
    argv: &'static [&'static str],
    uid: u32,
    umask: &'static str,
    /// (limit, "soft hard")
    limit: Option<(&'static str, &'static str)>,
}

const HTTPSERVCTL: &str = r#"#!/bin/sh
# Stand-in for httpservctl, a control program like apache2ctl: it reads the environment file
# itself, starts the daemon (which forks and writes its pid file) and stops it.
. "${HTTPSERV_ENVVARS:-/etc/httpserv/envvars}"
case "$1" in
  configtest) exit 0 ;;
  start) mkdir -p "$HTTPSERV_RUN_DIR"; exec /usr/sbin/httpserv -k start ;;
  graceful-stop|stop) kill "$(cat "$HTTPSERV_PID_FILE")"; rm -f "$HTTPSERV_PID_FILE" ;;
  graceful|restart) kill -HUP "$(cat "$HTTPSERV_PID_FILE")" ;;
esac
"#;

/// Stand-in for collectdmon: it detaches, writes its pid file (-P), runs collectd with the
/// options after `--` and -f and starts it again whenever it ends; SIGTERM ends collectd and it.
const COLLECTDMON: &str = r#"#!/bin/sh
pidfile=/run/collectdmon.pid
while [ $# -gt 0 ]; do
  case "$1" in -P) pidfile=$2; shift 2 ;; --) shift; break ;; *) shift ;; esac
done
setsid sh -c 'echo $$ >"$0"; trap "kill \$c 2>/dev/null; exit 0" TERM
while :; do /usr/sbin/collectd "$@" -f & c=$!; wait $c; done' "$pidfile" "$@" \
  </dev/null >/dev/null 2>&1 &
exit 0
"#;

/// Stand-in for iproute2's `ip addr` (not in the container): one configured interface, so
/// that a script's "no networks configured" check passes.
const IP_ADDR: &str = "#!/bin/sh\necho '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536'\n";
const IP_ROUTE: &str = "#!/bin/sh\necho 'default via 192.0.2.1 dev eth0 proto static'\n";

const SQLSTORE_ADMIN: &str = r#"#!/bin/sh
# Stand-in for sqlstore-admin: "ping" answers while the server runs, "shutdown" stops it.
for a; do case "$a" in
  ping) exec pgrep -x sqlstore_safe >/dev/null ;;
  shutdown) exec pkill -x sqlstore_safe ;;
  reload) exit 0 ;;
esac; done
"#;

/// Stand-in for a mail server's control program (courier's `courier`, `esmtpd`): `start`
/// starts its daemon (which forks and writes its pid file), `stop` ends it by that file.
const MAILQ_CTL: &str = r#"#!/bin/sh
case "$1" in
  start) exec /usr/lib/mailq/mailqd ;;
  stop) kill "$(cat /run/mailqd.pid)"; rm -f /run/mailqd.pid ;;
esac
"#;

const MAILQ_SMTPD: &str = r#"#!/bin/sh
case "$1" in
  start) exec /usr/lib/mailq/smtp-listener ;;
  stop) kill "$(cat /run/mailq-smtp.pid)"; rm -f /run/mailq-smtp.pid ;;
esac
"#;

/// Stand-in for strongswan's `ipsec`: `start` starts the key daemon in the background, `stop`
/// ends it.
const TUNSEC: &str = r#"#!/bin/sh
case "$1" in
  start) exec /usr/lib/tunsec/tunkeyd ;;
  stop) kill "$(cat /run/tunkeyd.pid)" ;;
  reload) exit 0 ;;
esac
"#;

/// Stand-in for armagetronad-dedicated's wrapper script: it runs the server in the background,
/// writes the server's pid file and waits for it.
const ARENASRV: &str = r#"#!/bin/sh
/usr/games/arenasrv.real &
echo $! >/var/games/arenasrv/arenasrv.pid
wait
"#;

/// Stand-in for Postfix's postconf: `-h mydomain` prints the mail domain.
const POSTCONF: &str = "#!/bin/sh\necho mail.example.org\n";

const SCRIPTS: &[Script] = &[
    Script {
        case: "bad-input",
        file: "/etc/init.d/printspool",
        unit: "printspool.service",
        stand_ins: &[("/usr/sbin/printspoold", "sleep")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "bad-input",
        file: "/opt/legacy/init/appsrv",
        unit: "appsrv.service",
        stand_ins: &[("/opt/legacy/bin/appsrv", "sleep")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "chkconfig-rhel",
        file: "/etc/init.d/kvcached",
        unit: "kvcached.service",
        stand_ins: &[("/usr/bin/kvcached", "fork pidfile-after=-P")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: Some((
            "a RHEL script: it needs /etc/rc.d/init.d/functions (daemon, killproc) from RHEL's \
             initscripts, which no Debian package ships; what `daemon --user kvcache` would \
             start is written out instead (values from /etc/sysconfig/kvcached, core limit 0 \
             from daemon's default `ulimit -S -c 0`)",
            Expect {
                // `daemon` runs `$*` with bash, which passes argv[0] as written: `$prog`.
                argv: &[
                    "kvcached",
                    "-d",
                    "-p",
                    "11311",
                    "-m",
                    "256",
                    "-c",
                    "2048",
                    "-P",
                    "/var/run/kvcached/kvcached.pid",
                    "-l",
                    "127.0.0.1,::1",
                ],
                uid: 125,
                umask: "0022",
                limit: Some(("Max core file size", "0 unlimited")),
            },
        )),
        known: &[],
    },
    Script {
        case: "chkconfig-rhel",
        file: "/etc/init.d/netlogd",
        unit: "netlogd.service",
        stand_ins: &[("/usr/sbin/netlogd", "fork pidfile-after=-i")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: Some((
            "a RHEL script: it needs /etc/init.d/functions from RHEL's initscripts; what \
             `daemon` would start is written out instead (umask 077 from the script, options \
             from /etc/sysconfig/netlogd, core limit 0 from daemon's default)",
            Expect {
                argv: &[
                    "/usr/sbin/netlogd",
                    "-i",
                    "/var/run/netlogd.pid",
                    "-c",
                    "2",
                    "-r",
                    "loghost.example.com",
                ],
                uid: 0,
                umask: "0077",
                limit: Some(("Max core file size", "0 unlimited")),
            },
        )),
        known: &[],
    },
    Script {
        case: "init-d-script",
        file: "/etc/init.d/entropyd",
        unit: "entropyd.service",
        // init-d-script assumes /var/run/entropyd.pid, which the daemon writes.
        stand_ins: &[("/usr/sbin/entropyd", "fork pidfile=/run/entropyd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "init-d-script",
        file: "/etc/init.d/netagentd",
        unit: "netagentd.service",
        stand_ins: &[("/usr/sbin/netagentd", "fork pidfile-after=-p")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "init-d-script",
        file: "/etc/init.d/monitor-node",
        unit: "monitor-node.service",
        stand_ins: &[("/usr/sbin/monitor-noded", "sleep")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "lsb-start-daemon",
        file: "/etc/init.d/jobsched",
        unit: "jobsched.service",
        stand_ins: &[("/usr/sbin/jobsched", "fork pidfile=/run/jobsched.pid")],
        shell_stand_ins: &[],
        toggle_on: Some("sed -i 's/^ENABLED=no/ENABLED=yes/' /etc/default/jobsched"),
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "lsb-start-daemon",
        file: "/etc/init.d/deferd",
        unit: "deferd.service",
        stand_ins: &[("/usr/sbin/deferd", "fork pidfile=/run/deferd.pid")],
        shell_stand_ins: &[],
        toggle_on: Some("sed -i 's/^RUN=no/RUN=yes/' /etc/default/deferd"),
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "must-wrap",
        file: "/etc/init.d/httpserv",
        unit: "httpserv.service",
        stand_ins: &[(
            "/usr/sbin/httpserv",
            "fork pidfile=/run/httpserv/httpserv.pid",
        )],
        shell_stand_ins: &[("/usr/sbin/httpservctl", HTTPSERVCTL)],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "must-wrap",
        file: "/etc/init.d/edgeproxy",
        unit: "edgeproxy.service",
        stand_ins: &[(
            "/usr/sbin/edgeproxy",
            "fork pidfile=/run/edgeproxy.pid exit-if=-t",
        )],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "must-wrap",
        file: "/etc/init.d/sqlstore",
        unit: "sqlstore.service",
        stand_ins: &[("/usr/bin/sqlstore_safe", "sleep")],
        shell_stand_ins: &[("/usr/bin/sqlstore-admin", SQLSTORE_ADMIN)],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "must-wrap",
        file: "/etc/init.d/tunnelvpn",
        unit: "tunnelvpn.service",
        stand_ins: &[("/usr/sbin/tunnelvpn", "fork pidfile-after=--writepid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "must-wrap",
        file: "/etc/init.d/perfd",
        unit: "perfd.service",
        // Its directories come from `eval` of a command's output in the file it sources: the
        // wrapper runs the script, which starts the collector from them.
        stand_ins: &[("/usr/lib/perfd/perfd", "fork pidfile-after=-p")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "must-wrap",
        file: "/etc/init.d/chatd",
        unit: "chatd.service",
        // Its daemons are started by the scripts run-parts runs: the wrapper starts both.
        stand_ins: &[
            ("/usr/sbin/chatd-hub", "sleep"),
            ("/usr/sbin/chatd-relay", "sleep"),
        ],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "ssd-background",
        file: "/etc/init.d/filesync",
        unit: "filesync.service",
        stand_ins: &[("/usr/bin/filesyncd", "sleep")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "ssd-background",
        file: "/etc/init.d/hoststat-exporter",
        unit: "hoststat-exporter.service",
        stand_ins: &[("/usr/bin/hoststat-exporter", "sleep")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "ssd-background",
        file: "/etc/init.d/arenasrv",
        unit: "arenasrv.service",
        // Like armagetronad-dedicated's wrapper: it stays in the foreground (the shell's `&`
        // is what puts it in the background under the script), runs the server and writes
        // its pid file.
        stand_ins: &[("/usr/games/arenasrv.real", "sleep say=arena-up")],
        shell_stand_ins: &[("/usr/games/arenasrv", ARENASRV)],
        toggle_on: None,
        setup: "mkdir -p /var/games/arenasrv && chown arenasrv:arenasrv /var/games/arenasrv",
        legacy_stop_fails: Some(
            "the script stops by --pidfile alone, and the pid file is the server user's: \
             Debian 12's start-stop-daemon refuses (\"matching only on non-root pidfile … is \
             insecure\"), as it does for armagetronad-dedicated's script; the unit stops it",
        ),
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "provides-alias",
        file: "/etc/init.d/pagerd",
        unit: "pagerd.service",
        stand_ins: &[(
            "/usr/sbin/pagerd",
            "fork pidfile=/run/pagerd.pid exit-if=-t",
        )],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "provides-alias",
        file: "/etc/init.d/pager-gw",
        unit: "pager-gw.service",
        stand_ins: &[(
            "/usr/sbin/pagerd",
            "fork pidfile=/run/pagerd.pid exit-if=-t",
        )],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "ssd-forking",
        file: "/etc/init.d/webgate",
        unit: "webgate.service",
        stand_ins: &[(
            "/usr/sbin/webgated",
            "fork pidfile=/run/webgate.pid exit-if=-t",
        )],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "systemd-refuses",
        file: "/etc/init.d/collectd",
        unit: "collectd.service",
        // collectdmon is a monitor: it detaches, writes its pid file (-P) and runs collectd with
        // the options after `--` and -f, again whenever it ends; SIGTERM ends both.
        stand_ins: &[("/usr/sbin/collectd", "sleep exit-if=-t")],
        shell_stand_ins: &[("/usr/sbin/collectdmon", COLLECTDMON)],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "systemd-refuses",
        file: "/etc/init.d/fail2ban",
        unit: "fail2ban.service",
        stand_ins: &[("/usr/bin/fail2ban-server", "sleep")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: Some((
            "fail2ban-client's start spawns fail2ban-server in the background with options of \
             its own choosing (a Python program this container does not have); what the unit \
             must run is fail2ban-server in the foreground with the script's options \
             (FAIL2BAN_OPTS=-v from /etc/default/fail2ban) and -f before start",
            Expect {
                argv: &["/usr/bin/fail2ban-server", "-v", "-f", "start"],
                uid: 0,
                umask: "0022",
                limit: None,
            },
        )),
        known: &[],
    },
    Script {
        case: "systemd-refuses",
        file: "/etc/init.d/actstat",
        unit: "actstat.service",
        stand_ins: &[("/usr/sbin/actstatd", "fork pidfile-after=-p")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        // The wrapper does nothing when /run/systemd/system exists, which it does in the
        // container whichever side runs: the legacy side cannot show what the script starts
        // on a sysvinit host.
        no_legacy: Some((
            "debian-actstatd exits at once when /run/systemd/system exists (always, in this \
             container); on a sysvinit host it execs /usr/sbin/actstatd with the script's \
             arguments, which is what the unit must run",
            Expect {
                argv: &["/usr/sbin/actstatd", "-p", "/run/actstatd.pid"],
                uid: 0,
                umask: "0022",
                limit: None,
            },
        )),
        known: &[],
    },
    Script {
        case: "systemd-refuses",
        file: "/etc/init.d/ssh",
        unit: "ssh.service",
        // OpenSSH's sshd forks under the script, but not when systemd starts it.
        stand_ins: &[(
            "/usr/sbin/sshd",
            "fork pidfile=/run/sshd.pid foreground-if-daemonized exit-if=-t exit-if=-? say=OpenSSH",
        )],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "systemd-refuses",
        file: "/etc/init.d/dnsd",
        unit: "dnsd.service",
        // Like named -u bind: the daemon switches user itself and then writes its pid file
        // into /run/dnsd, which must be writable for that user.
        stand_ins: &[(
            "/usr/sbin/dnsd",
            "fork pidfile=/run/dnsd/dnsd.pid user-after=-u",
        )],
        shell_stand_ins: &[("/bin/ip", IP_ADDR)],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "systemd-refuses",
        file: "/etc/init.d/milterd",
        unit: "milterd.service",
        stand_ins: &[("/usr/sbin/milterd", "fork pidfile-after=-P user-after=-u")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "systemd-refuses",
        file: "/etc/init.d/feedd",
        unit: "feedd.service",
        stand_ins: &[("/usr/sbin/feedd", "sleep")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "systemd-refuses",
        file: "/etc/init.d/mousesrv",
        unit: "mousesrv.service",
        stand_ins: &[("/usr/sbin/mousesrv", "fork pidfile=/run/mousesrv.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "systemd-refuses",
        file: "/etc/init.d/proxyd",
        unit: "proxyd.service",
        stand_ins: &[("/usr/sbin/proxyd", "fork pidfile=/run/proxyd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "per-config",
        file: "/etc/init.d/kvcache",
        unit: "kvcache.service",
        // One cache per /etc/kvcache-NAME.conf, each forking and writing the pid file given
        // with -P, as the user the script gives it.
        stand_ins: &[("/usr/bin/kvcached", "fork pidfile-after=-P")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "per-list",
        file: "/etc/init.d/netmon",
        unit: "netmon.service",
        // One monitor per word of INTERFACES (/etc/default/netmon), each forking and writing
        // the pid file given with -P.
        stand_ins: &[("/usr/sbin/netmond", "fork pidfile-after=-P")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "per-list",
        file: "/etc/init.d/meshvpn",
        unit: "meshvpn.service",
        // One daemon per network line of /etc/meshvpn/nets.boot (comments filtered out).
        stand_ins: &[("/usr/sbin/meshvpnd", "fork pidfile-after=--pidfile")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[Known {
            key: "fd0",
            reason: "the script's daemons inherit the `grep … | while read` pipe as their \
                     standard input (a legacy accident); systemd gives them /dev/null",
        }],
    },
    Script {
        case: "per-list",
        file: "/etc/init.d/portwatch",
        unit: "portwatch.service",
        // One watcher per port of PORTS, put in the background by start-stop-daemon.
        stand_ins: &[("/usr/sbin/portwatchd", "sleep")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "per-instance-settings",
        file: "/etc/init.d/flowexp",
        unit: "flowexp.service",
        // One exporter per /etc/flowexp/*.conf, its interface and options read from that file
        // (EnvironmentFile=-/etc/flowexp/%I.conf), forking and writing the pid file given with -p.
        stand_ins: &[("/usr/sbin/flowexp", "fork pidfile-after=-p")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "per-instance-settings",
        file: "/etc/init.d/arpmon",
        unit: "arpmon.service",
        // One monitor per word of INTERFACES; eth0 has its own /etc/arpmon/eth0.iface (extra
        // arguments, a filter), eth1 none (the script's empty defaults).
        stand_ins: &[("/usr/sbin/arpmon", "fork pidfile-after=-P")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "per-instance-settings",
        file: "/etc/init.d/tapd",
        unit: "tapd.service",
        // Wrapped: its configuration's settings file builds a value from another one.
        stand_ins: &[("/usr/sbin/tapd", "fork")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "per-entry-client",
        file: "/etc/init.d/blkattach",
        unit: "blkattach.service",
        // One attachment per device of /etc/blktab: the client forks a child that stays (as
        // nbd-client's did); its `-c` check finds nothing attached (exit 1), `-d` detaches.
        stand_ins: &[("/usr/sbin/blkattach", "fork fail-if=-c exit-if=-d")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: Some(
            "the stand-in's `-d` records and exits; a real client's detach ends the attached \
             device's process, which the stand-in cannot (systemd ends it with the unit)",
        ),
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "unit-sets",
        file: "/etc/init.d/mailq",
        unit: "mailq.service",
        // An MTA: the listener and the queue runner, each writing the pid file given with -oP.
        stand_ins: &[("/usr/sbin/mailqd", "fork pidfile-after=-oP")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "unit-sets",
        file: "/etc/init.d/fileserv",
        unit: "fileserv.service",
        // The server stays in the foreground (--background); its helper forks, without a pid
        // file. The security daemon is switched off in /etc/default/fileserv.
        stand_ins: &[
            ("/usr/sbin/fs.served", "sleep"),
            ("/usr/sbin/fs.mountd", "fork"),
        ],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "unit-sets",
        file: "/etc/init.d/avscan",
        unit: "avscan.service",
        stand_ins: &[
            ("/usr/sbin/avscand", "fork pidfile=/run/avscan/avscand.pid"),
            ("/usr/bin/avupdate", "fork pidfile=/run/avscan/avupdate.pid"),
        ],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "helper-functions",
        file: "/etc/init.d/webcache",
        unit: "webcache.service",
        stand_ins: &[(
            "/usr/bin/webcache-clean",
            "fork pidfile=/run/websrv/webcache.pid",
        )],
        shell_stand_ins: &[],
        toggle_on: None,
        // The web server's package creates its run directory; the script does not.
        setup: "mkdir -p /run/websrv && chown webdata: /run/websrv",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "helper-functions",
        file: "/etc/init.d/mailauth",
        unit: "mailauth.service",
        stand_ins: &[("/usr/sbin/mailauthd", "fork pidfile-after=-p")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: Some(
            "the daemon runs as mailauth and writes its pid file there as mailauth; \
             start-stop-daemon --stop matching only on a pid file not owned by root refuses \
             (\"is insecure\") — the unit tracks the process in its cgroup and stops it",
        ),
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "helper-functions",
        file: "/etc/init.d/imapproxy",
        unit: "imapproxy.service",
        stand_ins: &[("/usr/sbin/imapproxyd", "fork pidfile-after=-p")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "helper-functions",
        file: "/etc/init.d/pop3relay",
        unit: "pop3relay.service",
        stand_ins: &[("/usr/sbin/pop3relayd", "fork")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "helper-functions",
        file: "/etc/init.d/newsfeed",
        unit: "newsfeed.service",
        // The script names its daemon and sources the package's common part, which holds the
        // actions (courier's way); the daemon forks and writes the pid file it is given.
        stand_ins: &[("/usr/sbin/newsfeedd", "fork pidfile-after=-p")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "helper-functions",
        file: "/etc/init.d/backup-fd",
        unit: "backup-fd.service",
        // The configuration test (`-t`) passes; the daemon forks and writes its pid file.
        stand_ins: &[(
            "/usr/sbin/backup-fd",
            "fork exit-if=-t pidfile=/run/backup/backup-fd.9102.pid",
        )],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "run-time-values",
        file: "/etc/init.d/statsd",
        unit: "statsd.service",
        stand_ins: &[("/usr/sbin/statsd", "fork pidfile-after=-P")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "run-time-values",
        file: "/etc/init.d/tftpd",
        unit: "tftpd.service",
        stand_ins: &[("/usr/sbin/tftpd", "fork")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "run-time-values",
        file: "/etc/init.d/identd",
        unit: "identd.service",
        stand_ins: &[("/usr/sbin/identd", "fork")],
        // The default route, as `ip route show to exact 0/0` prints it.
        shell_stand_ins: &[("/usr/sbin/ip", IP_ROUTE)],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "run-time-values",
        file: "/etc/init.d/socksd",
        unit: "socksd.service",
        stand_ins: &[("/usr/sbin/socksd", "fork pidfile-after=-p")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "run-time-values",
        file: "/etc/init.d/tunneld",
        unit: "tunneld.service",
        // One tunnel per /etc/tunneld/*.conf; the daemon forks (its pid file is its
        // configuration's business).
        stand_ins: &[("/usr/bin/tunneld", "fork")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: Some(
            "the stand-in does not write the pid file each configuration names (`pid =`, which \
             the real daemon writes), so the script's `killproc -p` finds none and stops \
             nothing — the unit's instances are stopped through their cgroups",
        ),
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "output-and-reload",
        file: "/etc/init.d/statsd",
        unit: "statsd.service",
        stand_ins: &[("/opt/statsd/bin/statsd", "sleep")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "output-and-reload",
        file: "/etc/init.d/reportd",
        unit: "reportd.service",
        stand_ins: &[("/usr/sbin/reportd", "fork pidfile-after=--pidfile")],
        shell_stand_ins: &[],
        toggle_on: None,
        // The package's state directory, and the directory the script's relative log path
        // lands in when init runs it from /.
        setup: "mkdir -p /var/lib/reportd /log",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[
            Known {
                key: "fd1",
                reason: "reported (sysv-relative-output, dropped): the script appends to \
                         `log/reportd.log`, relative to where it is started (/log/reportd.log \
                         from init); the unit sends the output to the journal",
            },
            Known {
                key: "fd2",
                reason: "as fd1 (sysv-relative-output)",
            },
        ],
    },
    Script {
        case: "early-boot-order",
        file: "/etc/init.d/auditd",
        unit: "auditd.service",
        stand_ins: &[("/usr/sbin/auditd", "fork pidfile=/run/auditd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "function-output",
        file: "/etc/init.d/xmppd",
        unit: "xmppd.service",
        stand_ins: &[("/usr/bin/xmppd", "fork pidfile=/run/xmppd/xmppd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        // The script's own mkdir is not in it (the package ships the directory).
        setup: "mkdir -p /run/xmppd && chown xmpp: /run/xmppd",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "function-output",
        file: "/etc/init.d/stampd",
        unit: "stampd.service",
        stand_ins: &[("/usr/sbin/stampd", "fork pidfile=/run/stampd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "output-to-logger",
        file: "/etc/init.d/mailrelay",
        unit: "mailrelay.service",
        stand_ins: &[("/usr/sbin/mailrelay-send", "sleep say=Rescanning")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "output-to-logger",
        file: "/etc/init.d/queued",
        unit: "queued.service",
        stand_ins: &[("/usr/sbin/queued", "sleep say=ready")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "output-to-logger",
        file: "/etc/init.d/trackd",
        unit: "trackd.service",
        stand_ins: &[("/usr/sbin/trackd", "sleep say=tracking")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "output-to-logger",
        file: "/etc/init.d/statd",
        unit: "statd.service",
        stand_ins: &[("/usr/sbin/statd", "sleep say=collecting")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[
            Known {
                key: "fd1",
                reason: "reported (sysv-output-to-logger, dropped): the script pipes the \
                         output into a `while read` loop calling logger per line, which the \
                         converter does not follow; the unit sends it to the journal with \
                         systemd's defaults",
            },
            Known {
                key: "fd2",
                reason: "as fd1 (2>&1)",
            },
        ],
    },
    Script {
        case: "host-readings",
        file: "/etc/init.d/ftpsrv-ldap",
        unit: "ftpsrv-ldap.service",
        // The launcher forks the server, which writes its pid file; the backend (`ldap`, from
        // the script's own name) is its argument.
        stand_ins: &[(
            "/usr/sbin/ftpsrv-launch",
            "fork pidfile=/run/ftpsrv/ftpsrv.pid",
        )],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "host-readings",
        file: "/etc/init.d/hpimon",
        unit: "hpimon.service",
        stand_ins: &[("/usr/sbin/hpimon", "fork pidfile=/run/hpimon.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "host-readings",
        file: "/etc/init.d/ircsrv",
        unit: "ircsrv.service",
        // Started as irc by start-stop-daemon -c; it writes the pid file it is given.
        stand_ins: &[("/usr/sbin/ircsrv", "fork pidfile-after=-pidfile")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[Known {
            key: "env:HOME",
            reason: "systemd sets HOME for User= from the passwd entry (irc: /run/ircd, a directory this container lacks); Debian 12's start-stop-daemon --chuid sets no HOME",
        }],
    },
    Script {
        case: "host-readings",
        file: "/etc/init.d/sipd",
        unit: "sipd.service",
        stand_ins: &[("/usr/sbin/sipd", "fork pidfile-after=-P")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "host-readings",
        file: "/etc/init.d/watchd",
        unit: "watchd.service",
        // The container's real run-parts lists the snippets the legacy side sources.
        stand_ins: &[("/usr/sbin/watchd", "fork pidfile-after=-p")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "host-readings",
        file: "/etc/init.d/radiusd",
        unit: "radiusd.service",
        stand_ins: &[("/usr/sbin/radiusd", "fork pidfile=/run/radiusd/radiusd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "host-readings",
        file: "/etc/init.d/cgiwrapd",
        unit: "cgiwrapd.service",
        // Wrapped (its options depend on a test of a setting): the spawner starts the
        // wrapper, which stays in the foreground.
        stand_ins: &[("/usr/sbin/cgiwrapd", "sleep")],
        shell_stand_ins: &[("/usr/bin/spawn-cgi", SPAWN_CGI)],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "host-readings",
        file: "/etc/init.d/mfilter",
        unit: "mfilter.service",
        stand_ins: &[("/usr/sbin/mfilter", "fork pidfile-after=-P")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "settings-options",
        file: "/etc/init.d/pagesrv",
        unit: "pagesrv.service",
        stand_ins: &[("/usr/bin/pagesrvd", "fork pidfile=/run/pagesrvd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "settings-options",
        file: "/etc/init.d/filesrv",
        unit: "filesrv.service",
        stand_ins: &[("/usr/bin/filesrvd", "fork pidfile=/run/filesrvd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        // The host the script was converted on had no configuration yet (so it stays wrapped):
        // here one is installed, as the package's configuration would write it, and the
        // wrapper builds the options from it at start as the script does.
        setup: "printf 'srv_docroot=/srv/files\\nsrv_port=9090\\nsrv_listing=yes\\n' > /etc/filesrv.conf",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "undecided-tests",
        file: "/etc/init.d/sigupd",
        unit: "sigupd.service",
        stand_ins: &[("/usr/sbin/sigupd", "fork pidfile=/run/sigupd/sigupd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        // The package creates the run directory for its user; the script does not.
        setup: "mkdir -p /run/sigupd && chown sigupd: /run/sigupd",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "undecided-tests",
        file: "/etc/init.d/superd",
        unit: "superd.service",
        stand_ins: &[("/usr/sbin/superd", "fork pidfile=/run/superd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        // The container's perl opens an IPv6 socket, so the script adds -ipv6; the unit takes
        // the probe as failing and its sysv-undecided-test finding names -ipv6.
        known: &[Known {
            key: "argv",
            reason: "the script's IPv6 probe succeeds here; the unit took it as failing, and its finding gives the -ipv6 it would add",
        }],
    },
    Script {
        case: "undecided-tests",
        file: "/etc/init.d/timed",
        unit: "timed.service",
        stand_ins: &[("/usr/sbin/timed", "fork pidfile=/run/timed.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "undecided-tests",
        file: "/etc/init.d/relayd",
        unit: "relayd.service",
        stand_ins: &[("/usr/sbin/relayd", "fork pidfile=/run/relayd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "undecided-tests",
        file: "/etc/init.d/scand",
        unit: "scand.service",
        stand_ins: &[("/usr/sbin/scand", "fork pidfile=/run/scand/scand.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "host-readings",
        file: "/etc/init.d/pingmon",
        unit: "pingmon.service",
        // Like smokeping: it forks and writes its pid file in the --pid-dir it is given.
        stand_ins: &[("/usr/sbin/pingmon", "fork pidfile=/run/pingmon/pingmon.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "mkdir -p /run/pingmon && chown pingmon /run/pingmon",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "run-time-values",
        file: "/etc/init.d/srsd",
        unit: "srsd.service",
        // Like postsrsd: it forks and writes the pid file named by -p.
        stand_ins: &[("/usr/sbin/srsd", "fork pidfile-after=-p")],
        shell_stand_ins: &[("/usr/sbin/postconf", POSTCONF)],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "unset-reference",
        file: "/etc/init.d/zoned",
        unit: "zoned.service",
        stand_ins: &[("/usr/sbin/zoned", "fork pidfile=/run/zoned/zoned.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "unset-reference",
        file: "/etc/init.d/homed",
        unit: "homed.service",
        stand_ins: &[("/usr/sbin/homed", "fork pidfile=/run/homed/homed.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "control-stop",
        file: "/etc/init.d/mailq",
        unit: "mailq.service",
        stand_ins: &[("/usr/lib/mailq/mailqd", "fork pidfile=/run/mailqd.pid")],
        shell_stand_ins: &[("/usr/sbin/mailq-ctl", MAILQ_CTL)],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "control-stop",
        file: "/etc/init.d/mailq-smtp",
        unit: "mailq-smtp.service",
        stand_ins: &[(
            "/usr/lib/mailq/smtp-listener",
            "fork pidfile=/run/mailq-smtp.pid",
        )],
        shell_stand_ins: &[("/usr/sbin/mailq-smtpd", MAILQ_SMTPD)],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "control-stop",
        file: "/etc/init.d/tunsec",
        unit: "tunsec.service",
        stand_ins: &[("/usr/lib/tunsec/tunkeyd", "fork pidfile=/run/tunkeyd.pid")],
        shell_stand_ins: &[("/usr/sbin/tunsec", TUNSEC)],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "some-paths",
        file: "/etc/init.d/clockd",
        unit: "clockd.service",
        // Told its pid file with -i and forks, as htpdate -D does.
        stand_ins: &[("/usr/sbin/clockd", "fork pidfile=/run/clockd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "some-paths",
        file: "/etc/init.d/webappd",
        unit: "webappd.service",
        // `--foreground`: it stays in the foreground, start-stop-daemon backgrounds it.
        stand_ins: &[("/usr/sbin/webappd", "sleep")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "some-paths",
        file: "/etc/init.d/scanfilterd",
        unit: "scanfilterd.service",
        stand_ins: &[("/usr/bin/scanfilterd", "fork pidfile=/run/scanfilterd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "some-paths",
        file: "/etc/init.d/mxrelay",
        unit: "mxrelay.service",
        // Wrapped (two daemons run directly): the wrapper runs the script's own start.
        stand_ins: &[
            (
                "/usr/bin/mxrelay-queue",
                "fork pidfile=/run/mxrelay-queue.pid",
            ),
            ("/usr/bin/mxrelay", "fork pidfile=/run/mxrelay.pid"),
        ],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "start-conditions",
        file: "/etc/init.d/portwatch",
        unit: "portwatch.service",
        // psad's way: the daemon forks and writes its own `.pid`, not the file start-stop-daemon
        // is told to check.
        stand_ins: &[(
            "/usr/sbin/portwatch",
            "fork pidfile=/run/portwatch/portwatch.pid",
        )],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "start-conditions",
        file: "/etc/init.d/quorumd",
        unit: "quorumd.service",
        // Neither guard holds in the container (no not_to_be_run file, no `nocluster` on the
        // kernel command line): both ways start the arbiter.
        stand_ins: &[("/usr/sbin/quorumd", "fork pidfile=/run/quorumd.pid")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "start-conditions",
        file: "/etc/init.d/relayd",
        unit: "relayd.service",
        stand_ins: &[("/usr/bin/relayd", "fork pidfile=/run/relayd.pid")],
        shell_stand_ins: &[],
        toggle_on: Some("sed -i 's/^#RELAYD_ENABLED=1/RELAYD_ENABLED=1/' /etc/default/relayd"),
        setup: "",
        legacy_stop_fails: Some(
            "the daemon, started as relayd, cannot write /run/relayd.pid, so the script's stop (start-stop-daemon --pidfile) finds nothing to stop; the unit has no PIDFile= for that reason (sysv-pidfile-unwritable)",
        ),
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "start-conditions",
        file: "/etc/init.d/perfmon",
        unit: "perfmon.service",
        // atop's helper: it writes its own pid, then becomes the monitor (exec), which stays in
        // the foreground and ends on SIGUSR2 (atop's "last sample, then exit").
        stand_ins: &[("/usr/bin/perfmon", "sleep ends-on=12")],
        shell_stand_ins: &[(
            "/usr/share/perfmon/perfmon.daily",
            "#!/bin/sh\necho $$ > /run/perfmon.pid\nexec /usr/bin/perfmon -w /var/log/perfmon 600\n",
        )],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "start-conditions",
        file: "/etc/init.d/loginscreen",
        unit: "loginscreen.service",
        // A display manager put in the background by start-stop-daemon; neither the machine's
        // kernel command line nor the container's has `text` or `nogui=1`, so both start it.
        stand_ins: &[("/usr/sbin/loginscreend", "sleep")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "start-conditions",
        file: "/etc/init.d/fanctl",
        unit: "fanctl.service",
        stand_ins: &[(
            "/usr/sbin/fanctl",
            "fork pidfile=/run/fanctl.pid exit-if=--check",
        )],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "tool-daemons",
        file: "/etc/init.d/linkwatch",
        unit: "linkwatch.service",
        // ifplugd's way: `-c` says whether a watcher runs for the interface (exit 0: it does),
        // `-k` ends it, otherwise it starts one, which detaches and writes its pid file.
        stand_ins: &[(
            "/usr/lib/linkwatch/linkwatchd",
            "fork pidfile=/run/linkwatch.lo.pid",
        )],
        shell_stand_ins: &[(
            "/usr/sbin/linkwatch",
            "#!/bin/sh\ncase \" $* \" in\n  *' -c '*) [ -s /run/linkwatch.lo.pid ] && kill -0 \"$(cat /run/linkwatch.lo.pid)\" 2>/dev/null ;;\n  *' -k '*) kill \"$(cat /run/linkwatch.lo.pid)\"; rm -f /run/linkwatch.lo.pid ;;\n  *) exec /usr/lib/linkwatch/linkwatchd \"$@\" ;;\nesac\n",
        )],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
    Script {
        case: "tool-daemons",
        file: "/etc/init.d/camwatch",
        unit: "camwatch.service",
        // zoneminder's zmpkg.pl: it starts the recorder daemon (which detaches and writes its
        // pid file), stops it, and prints `running` while it runs.
        stand_ins: &[("/usr/bin/camdc", "fork pidfile=/run/cam/camdc.pid")],
        shell_stand_ins: &[(
            "/usr/bin/campkg",
            "#!/bin/sh\nP=/run/cam/camdc.pid\ncase \"$1\" in\n  start) exec /usr/bin/camdc -d ;;\n  stop) kill \"$(cat $P)\"; rm -f $P ;;\n  status) [ -s $P ] && kill -0 \"$(cat $P)\" 2>/dev/null && echo running || echo stopped ;;\nesac\n",
        )],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    },
];

/// Stand-in for spawn-fcgi: it starts the program after `--` in the background, in a session of
/// its own, writes its pid to the `-P` file and exits.
const SPAWN_CGI: &str = r#"#!/bin/sh
pidfile=
while [ $# -gt 0 ]; do
  case "$1" in -P) pidfile=$2; shift 2 ;; --) shift; break ;; *) shift ;; esac
done
setsid "$@" </dev/null >/dev/null 2>&1 &
[ -n "$pidfile" ] && echo $! >"$pidfile"
exit 0
"#;

/// Names a unit puts into the environment that the daemon may see without the script having
/// exported them: every variable of its `EnvironmentFile=`s (read inside the container: the
/// defaults file as a whole is systemd's idiom; a file per instance, `%I`, is read for every
/// instance the unit wants), and those of its `Environment=` lines that an
/// `Exec…=` line expands. An `Environment=` variable that no command line uses must come from
/// the script's exports, so the legacy daemon has it too.
pub fn unit_env_names(c: &Container, unit: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let exec: String = unit
        .lines()
        .filter(|l| l.starts_with("Exec"))
        .collect::<Vec<_>>()
        .join("\n");
    let expands = |k: &str| {
        let plain = format!("${k}");
        let braced = format!("${{{k}}}");
        exec.match_indices(&plain).any(|(i, _)| {
            !exec[i + plain.len()..].starts_with(|ch: char| ch.is_ascii_alphanumeric() || ch == '_')
        }) || exec.contains(&braced)
    };
    // The instances the script's own service wants (`x@lan.service` → `lan`).
    let instances: Vec<String> = unit
        .lines()
        .filter_map(|l| l.strip_prefix("Wants="))
        .flat_map(str::split_whitespace)
        .filter_map(|u| u.strip_suffix(".service")?.split_once('@'))
        .map(|(_, i)| i.to_string())
        .collect();
    for line in unit.lines() {
        if let Some(v) = line.strip_prefix("Environment=") {
            for part in v.split("\" \"") {
                let part = part.trim_matches('"');
                if let Some((k, _)) = part.split_once('=')
                    && expands(k)
                {
                    out.insert(k.to_string());
                }
            }
        }
        if let Some(f) = line.strip_prefix("EnvironmentFile=") {
            let f = f.trim_start_matches('-');
            // A file per instance (`/etc/x/%I.conf`): every wanted instance's.
            let files: Vec<String> = if f.contains("%I") {
                instances.iter().map(|i| f.replace("%I", i)).collect()
            } else {
                vec![f.to_string()]
            };
            let text: Vec<u8> = files
                .iter()
                .flat_map(|f| {
                    let mut t = c.read(f).unwrap_or_default();
                    t.push(b'\n');
                    t
                })
                .collect();
            for l in String::from_utf8_lossy(&text).lines() {
                let l = l.trim();
                if let Some((k, _)) = l.split_once('=')
                    && !k.is_empty()
                    && k.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                {
                    out.insert(k.to_string());
                }
            }
        }
    }
    out
}

/// The differences every script may show, each with its reason.
pub fn rules(unit_text: &str, env_names: BTreeSet<String>) -> Vec<Rule> {
    let runtime_dir = unit_text.contains("\nRuntimeDirectory=");
    let logs_dir = unit_text.contains("\nLogsDirectory=");
    let has_user = unit_text.contains("\nUser=");
    let pid_file = unit_text.contains("\nPIDFile=");
    let user = unit_text
        .lines()
        .find_map(|l| l.strip_prefix("User="))
        // `User=0` (`--chuid 0:0`) is root by name.
        .map(|u| {
            if u == "0" {
                "root".to_string()
            } else {
                u.to_string()
            }
        });
    vec![
        Rule {
            reason: "systemd sets it for every service",
            applies: Box::new(|d: &Diff| {
                ["env:INVOCATION_ID", "env:SYSTEMD_EXEC_PID"].contains(&d.key.as_str())
                    && compare::unset(&d.theirs)
            }),
        },
        Rule {
            reason: "systemd sets it when the output goes to the journal",
            applies: Box::new(|d: &Diff| {
                d.key == "env:JOURNAL_STREAM" && compare::unset(&d.theirs)
            }),
        },
        Rule {
            reason: "systemd passes the system locale (C.UTF-8 without /etc/locale.conf); \
                     sysvinit's rc passes none",
            applies: Box::new(|d: &Diff| {
                d.key == "env:LANG" && compare::unset(&d.theirs) && d.ours == "C.UTF-8"
            }),
        },
        Rule {
            reason: "systemd's PATH holds every directory of the script's PATH; ExecStart= names \
                     the program by its absolute path",
            applies: Box::new(|d: &Diff| {
                d.key == "env:PATH"
                    && d.ours == compare::SYSTEMD_PATH
                    && compare::path_dirs(&d.theirs).is_subset(&compare::path_dirs(&d.ours))
            }),
        },
        Rule {
            reason: "systemd sets it for PIDFile=",
            applies: Box::new(move |d: &Diff| {
                pid_file && d.key == "env:PIDFILE" && compare::unset(&d.theirs)
            }),
        },
        Rule {
            reason: "systemd sets it for RuntimeDirectory=",
            applies: Box::new(move |d: &Diff| {
                runtime_dir && d.key == "env:RUNTIME_DIRECTORY" && compare::unset(&d.theirs)
            }),
        },
        Rule {
            reason: "systemd sets HOME for User= from the user's passwd entry; \
                     start-stop-daemon --chuid left it unset for a user whose home \
                     directory does not exist (/nonexistent)",
            applies: Box::new(move |d: &Diff| {
                has_user
                    && d.key == "env:HOME"
                    && compare::unset(&d.theirs)
                    && d.ours == "/nonexistent"
            }),
        },
        Rule {
            reason: "systemd sets it for LogsDirectory=",
            applies: Box::new(move |d: &Diff| {
                logs_dir && d.key == "env:LOGS_DIRECTORY" && compare::unset(&d.theirs)
            }),
        },
        Rule {
            reason: "the unit passes the script's settings through the environment \
                     (Environment=, EnvironmentFile=) so that ExecStart= can expand them; the \
                     script kept them as shell variables. The daemon sees them now: harmless \
                     unless it reads variables of these names",
            applies: Box::new(move |d: &Diff| {
                d.key
                    .strip_prefix("env:")
                    .is_some_and(|k| env_names.contains(k))
                    && compare::unset(&d.theirs)
            }),
        },
        Rule {
            reason: "left by the script's shell",
            applies: Box::new(|d: &Diff| {
                ["env:PWD", "env:OLDPWD", "env:SHLVL", "env:_"].contains(&d.key.as_str())
                    && compare::unset(&d.ours)
            }),
        },
        Rule {
            reason: "systemd sends the output to the journal where the script sent it to \
                     /dev/null or the console",
            applies: Box::new(|d: &Diff| {
                (d.key == "fd1" || d.key == "fd2")
                    && d.ours == "socket"
                    && (d.theirs == "/dev/null" || d.theirs.starts_with("/var/log/live-run-"))
            }),
        },
        Rule {
            reason: "systemd sets USER, LOGNAME and SHELL for a service with User=; \
                     start-stop-daemon --chuid sets only HOME (harmless for a daemon; unsetting \
                     them would be un-idiomatic)",
            applies: Box::new(move |d: &Diff| {
                compare::unset(&d.theirs)
                    && (((d.key == "env:USER" || d.key == "env:LOGNAME")
                        && user.as_deref() == Some(d.ours.as_str()))
                        || (d.key == "env:SHELL" && user.is_some() && d.ours.starts_with('/')))
            }),
        },
    ]
}

/// The legacy side's `logger` processes whose tag (`-t`/`--tag`, else `root`) is the
/// `SyslogIdentifier=` of our unit: what our unit replaces by giving the output to the journal.
pub fn loggers_to_journal<'a>(theirs: &'a [Proc], unit_text: &str) -> Vec<&'a Proc> {
    let identifiers: BTreeSet<&str> = unit_text
        .lines()
        .filter_map(|l| l.strip_prefix("SyslogIdentifier="))
        .collect();
    theirs
        .iter()
        .filter(|p| p.exe.rsplit('/').next() == Some("logger"))
        .filter(|p| {
            let mut tag = "root".to_string();
            let mut args = p.argv.iter().skip(1);
            while let Some(a) = args.next() {
                if a == "-t" || a == "--tag" {
                    tag = args.next().cloned().unwrap_or_default();
                } else if let Some(t) = a.strip_prefix("--tag=") {
                    tag = t.to_string();
                } else if let Some(t) = a.strip_prefix("-t").filter(|t| !t.is_empty()) {
                    tag = t.to_string();
                }
            }
            identifiers.contains(tag.as_str())
        })
        .collect()
}

/// syslog.h's facility codes for the names `SyslogFacility=` takes.
fn facility_code(name: &str) -> Option<u32> {
    let names = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
        "authpriv", "ftp",
    ];
    names
        .iter()
        .position(|n| *n == name)
        .map(|p| p as u32)
        .or_else(|| {
            name.strip_prefix("local")
                .and_then(|k| k.parse::<u32>().ok())
                .filter(|k| *k < 8)
                .map(|k| 16 + k)
        })
}

/// syslog.h's level codes for the names `SyslogLevel=` takes.
fn level_code(name: &str) -> Option<u32> {
    let names = [
        "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
    ];
    names.iter().position(|n| *n == name).map(|p| p as u32)
}

/// Checks in the journal that the lines our units' daemons wrote carry the unit's syslog
/// identity (`SYSLOG_IDENTIFIER=`, `SYSLOG_FACILITY=`, `PRIORITY=`), that there is at least
/// one, and that the lines the legacy side's logger logged under that identifier (from the
/// legacy start's cgroup: the unit `legacy_unit`, or any whose name starts with it when it
/// ends in `-`) had the same facility and level. Returns the problems.
pub fn syslog_identity(
    c: &Container,
    unit_text: &str,
    units: &BTreeSet<String>,
    legacy_unit: &str,
) -> Vec<String> {
    let value = |key: &str| {
        unit_text
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::to_string)
    };
    let Some(identifier) = value("SyslogIdentifier=") else {
        return vec!["a logger process on the legacy side, no SyslogIdentifier= in ours".into()];
    };
    let facility = value("SyslogFacility=").map_or(Some(3), |f| facility_code(&f));
    let level = value("SyslogLevel=").map_or(Some(6), |l| level_code(&l));
    let (Some(facility), Some(level)) = (facility, level) else {
        return vec!["SyslogFacility=/SyslogLevel= not names systemd takes".into()];
    };
    // journald forwards buffered stream lines when the stream ends; stopped by now.
    let out = c
        .exec(
            &[
                "journalctl",
                "--no-pager",
                "-o",
                "json",
                &format!("SYSLOG_IDENTIFIER={identifier}"),
            ],
            None,
        )
        .stdout;
    let entries: Vec<serde_json::Value> = out
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let field = |e: &serde_json::Value, k: &str| e[k].as_str().map(str::to_string);
    let mut fail = Vec::new();
    let ours: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| {
            field(e, "_TRANSPORT").as_deref() == Some("stdout")
                && field(e, "_SYSTEMD_UNIT").is_some_and(|u| units.contains(&u))
        })
        .collect();
    let theirs: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| {
            field(e, "_TRANSPORT").as_deref() == Some("syslog")
                && field(e, "_SYSTEMD_UNIT").is_some_and(|u| {
                    u == legacy_unit || (legacy_unit.ends_with('-') && u.starts_with(legacy_unit))
                })
        })
        .collect();
    let want = (Some(facility.to_string()), Some(level.to_string()));
    eprintln!(
        "    journal, SYSLOG_IDENTIFIER={identifier}: {} line(s) of ours, {} of the script's \
         logger; wanted SYSLOG_FACILITY={facility} PRIORITY={level}",
        ours.len(),
        theirs.len()
    );
    if ours.is_empty() {
        fail.push(format!(
            "no journal line of ours with SYSLOG_IDENTIFIER={identifier} (the daemon wrote \
             nothing?)"
        ));
    }
    for e in ours.iter().chain(&theirs) {
        let got = (field(e, "SYSLOG_FACILITY"), field(e, "PRIORITY"));
        eprintln!(
            "      {} SYSLOG_FACILITY={:?} PRIORITY={:?} {:?}",
            field(e, "_TRANSPORT").unwrap_or_default(),
            got.0,
            got.1,
            e["MESSAGE"]
        );
        if got != want {
            fail.push(format!(
                "journal line {:?} ({}): SYSLOG_FACILITY/PRIORITY {got:?}, wanted {want:?}",
                e["MESSAGE"],
                field(e, "_TRANSPORT").unwrap_or_default()
            ));
        }
    }
    fail
}

/// Accepted differences for a script that sent its daemon's output through `logger`
/// ([`loggers_to_journal`]): the legacy side's logger process, and (for `daemon`, the script's
/// process of a pair) each standard stream that is the pipe a logger reads.
pub fn logger_rules(loggers: &[&Proc], daemon: Option<&Proc>) -> Vec<Rule> {
    if loggers.is_empty() {
        return Vec::new();
    }
    let logger_argvs: BTreeSet<String> = loggers.iter().map(|l| format!("{:?}", l.argv)).collect();
    let logger_pipes: BTreeSet<String> = loggers
        .iter()
        .filter_map(|l| l.fds.first().cloned())
        .filter(|f| f.starts_with("pipe:"))
        .collect();
    let to_logger: BTreeSet<String> = daemon
        .map(|p| {
            p.fds
                .iter()
                .enumerate()
                .filter(|(_, f)| logger_pipes.contains(*f))
                .map(|(k, _)| format!("fd{k}"))
                .collect()
        })
        .unwrap_or_default();
    vec![
        Rule {
            reason: "the script's logger process, reading the daemon's output: our unit \
                     gives that output to the journal itself, with the logger's tag as \
                     SyslogIdentifier= (and its facility and level, checked in the journal)",
            applies: Box::new(move |d: &Diff| {
                d.key.starts_with("process:")
                    && d.key.ends_with("/logger")
                    && d.ours == "(none)"
                    && logger_argvs.contains(&d.theirs)
            }),
        },
        Rule {
            reason: "the script's pipe to its logger process; ours is the journal's stream, \
                     with the logger's tag, facility and level",
            applies: Box::new(move |d: &Diff| {
                to_logger.contains(&d.key) && d.theirs == "pipe" && d.ours == "socket"
            }),
        },
    ]
}

fn daemon_paths(s: &Script) -> Vec<String> {
    s.stand_ins
        .iter()
        .filter(|(_, m)| m.starts_with("sleep") || m.starts_with("fork"))
        .map(|(p, _)| p.to_string())
        .collect()
}

/// Waits until the daemons are up and have recorded themselves (stable over two looks), and
/// reads them from /proc — except their standard streams, taken from their records: a forking
/// daemon points them at /dev/null once detached, the record says what it was started with.
fn settle(c: &Container, paths: &[String]) -> Vec<Proc> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last: Vec<u32> = Vec::new();
    let read = |pids: &[u32]| -> Vec<Proc> {
        let recs: Vec<Proc> = c
            .records()
            .into_iter()
            .filter(|r| r.mode != "exit-if")
            .collect();
        pids.iter()
            .filter_map(|p| c.process(*p))
            .map(|mut p| {
                if let Some(r) = recs.iter().rev().find(|r| r.pid == p.pid) {
                    p.fds = r.fds.clone();
                }
                p
            })
            .collect()
    };
    while Instant::now() < deadline {
        let pids = c.pids_of(paths);
        let recorded: BTreeSet<u32> = c
            .records()
            .iter()
            .filter(|r| r.mode != "exit-if")
            .map(|r| r.pid)
            .collect();
        if !pids.is_empty() && pids.iter().all(|p| recorded.contains(p)) && pids == last {
            return read(&pids);
        }
        last = pids;
        std::thread::sleep(Duration::from_millis(100));
    }
    read(&last)
}

/// Waits until none of the daemons runs; kills what is left after 15 s and says so.
fn gone(c: &Container, paths: &[String]) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if c.pids_of(paths).is_empty() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let left = c.pids_of(paths);
    for p in &left {
        c.sh(&format!("kill -KILL {p}"));
    }
    Err(format!("still running after stop: pids {left:?}"))
}

fn describe(p: &Proc) -> String {
    format!(
        "pid {} argv {:?} uid {:?} gid {:?} groups {:?} cwd {} umask {} nice {}",
        p.pid, p.argv, p.uid, p.gid, p.groups, p.cwd, p.umask, p.nice
    )
}

fn legacy(c: &Container, script: &str, action: &str) -> (Option<i32>, String) {
    c.run_as_init(&format!("{LEGACY} {script} {action}"))
}

/// Runs one script both ways; returns the failures.
fn check(c: &Container, conv: &corpus::Converted, s: &Script, status: &str) -> Vec<String> {
    let mut fail = Vec::new();
    let daemons = daemon_paths(s);
    let mut unit_text = conv.unit(s.unit);
    let wrapped = status == "wrapped";
    // A unit set: the script's own service is a oneshot wanting one service per daemon. The
    // members' settings explain the daemons' differences too.
    let members: Vec<String> = if unit_text.contains("\nExecStart=/bin/true\n") {
        unit_text
            .lines()
            .filter_map(|l| l.strip_prefix("Wants="))
            .flat_map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
            .filter(|u| u.ends_with(".service"))
            .collect()
    } else {
        Vec::new()
    };
    for m in &members {
        // An instance's settings are its template's (`x@lab.service` → `x@.service`).
        let file = match m.split_once('@') {
            Some((stem, _)) => format!("{stem}@.service"),
            None => m.clone(),
        };
        unit_text.push_str(&conv.unit(&file));
    }
    eprintln!("--- {} ({status}) as {}", s.file, s.unit);

    if let Some(on) = s.toggle_on {
        // With the shipped defaults the script starts nothing; the unit has no such switch
        // (reported as sysv-toggle, dropped).
        c.clear_records();
        let (code, log) = legacy(c, s.file, "start");
        std::thread::sleep(Duration::from_millis(300));
        let started = c.pids_of(&daemons);
        if !started.is_empty() {
            fail.push(format!(
                "{}: the shipped defaults switch it off, but start ran {started:?} ({code:?}: {log})",
                s.file
            ));
            let _ = gone(c, &daemons);
        }
        if !conv
            .finding_codes(s.file)
            .iter()
            .any(|f| f == "sysv-toggle")
        {
            fail.push(format!(
                "{}: the toggle is not reported (sysv-toggle)",
                s.file
            ));
        }
        let r = c.systemctl(&["start", s.unit]);
        let ours = settle(c, &daemons);
        eprintln!(
            "    toggle off: legacy started nothing, the unit started {} process(es) (known: \
             sysv-toggle, the unit has no switch) {}",
            ours.len(),
            r.stderr.trim()
        );
        if ours.is_empty() {
            fail.push(format!(
                "{}: the unit no longer starts while the toggle is off: the known difference \
                 (sysv-toggle) is gone, update the test",
                s.file
            ));
        }
        c.systemctl(&["stop", s.unit]);
        let _ = gone(c, &daemons);
        c.sh_ok(on);
    }

    // The legacy side.
    let mut theirs = Vec::new();
    // Its logger processes reading the daemon's output, while they run.
    let mut loggers: Vec<Proc> = Vec::new();
    if s.no_legacy.is_none() {
        c.clear_records();
        let (code, log) = legacy(c, s.file, "start");
        theirs = settle(c, &daemons);
        loggers = c
            .pids_of(&["/usr/bin/logger".to_string()])
            .into_iter()
            .filter_map(|p| c.process(p))
            .collect();
        eprintln!(
            "    legacy start: exit {code:?}, {} daemon(s)",
            theirs.len()
        );
        for p in &theirs {
            eprintln!("      {}", describe(p));
        }
        if code != Some(0) || theirs.is_empty() {
            fail.push(format!(
                "{}: legacy start exit {code:?}, {} daemon(s):\n{log}",
                s.file,
                theirs.len()
            ));
        }
        let (code, log) = legacy(c, s.file, "stop");
        match (gone(c, &daemons), s.legacy_stop_fails) {
            (Err(e), None) => fail.push(format!(
                "{}: legacy stop (exit {code:?}): {e}\n{log}",
                s.file
            )),
            (Err(_), Some(why)) => eprintln!("    KNOWN legacy stop fails (exit {code:?}): {why}"),
            (Ok(()), Some(why)) => fail.push(format!(
                "{}: the legacy stop works now, though listed as failing ({why}): update the test",
                s.file
            )),
            (Ok(()), None) => {}
        }
    }

    // Ours.
    c.clear_records();
    let r = c.systemctl(&["start", s.unit]);
    let ours = settle(c, &daemons);
    let props = [
        "ActiveState",
        "SubState",
        "Result",
        "MainPID",
        "ExecMainStatus",
    ];
    let shown = c.show(s.unit, &props);
    eprintln!("    ours start: {shown:?}, {} daemon(s)", ours.len());
    for p in &ours {
        eprintln!("      {}", describe(p));
    }
    if !r.ok() || shown.get("ActiveState").map(String::as_str) != Some("active") || ours.is_empty()
    {
        fail.push(format!(
            "{}: systemctl start {}: {:?} {shown:?}, {} daemon(s)\n{}\n{}",
            s.file,
            s.unit,
            r.code,
            ours.len(),
            r.stderr,
            c.journal(s.unit)
        ));
    }
    let mains: Vec<&str> = if members.is_empty() {
        vec![s.unit]
    } else {
        members.iter().map(String::as_str).collect()
    };
    for unit in mains.iter().filter(|_| !wrapped) {
        // A oneshot that stays active (a client set up per entry) has no main process: the
        // processes it left are its cgroup's, compared above with the script's.
        let file = match unit.split_once('@') {
            Some((stem, _)) => format!("{stem}@.service"),
            None => (*unit).to_string(),
        };
        let text = conv.unit(&file);
        if text.contains("\nType=oneshot\n") && text.contains("\nRemainAfterExit=yes\n") {
            continue;
        }
        let main: u32 = c
            .show(unit, &["MainPID"])
            .get("MainPID")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        // A wrapper script that stays in the foreground and runs the daemon as its child
        // (armagetronad-dedicated's) is the main process of the script's job too.
        let wrapper = || {
            let args = c.sh(&format!("tr '\\0' ' ' </proc/{main}/cmdline")).stdout;
            s.shell_stand_ins
                .iter()
                .any(|(path, _)| args.split(' ').take(2).any(|w| w == *path))
                && ours.iter().any(|p| {
                    c.sh(&format!("cat /proc/{}/stat", p.pid))
                        .stdout
                        .rsplit(')')
                        .next()
                        .and_then(|rest| rest.split_whitespace().nth(1))
                        == Some(main.to_string().as_str())
                })
        };
        if !ours.iter().any(|p| p.pid == main) && !wrapper() {
            fail.push(format!(
                "{}: MainPID {main} of {unit} is not a daemon ({:?})",
                s.file,
                ours.iter().map(|p| p.pid).collect::<Vec<_>>()
            ));
        }
    }
    // A unit set's `systemctl reload NAME`: the set's own service reloads (a no-op) and the
    // reload propagates to each member that can reload (`ReloadPropagatedFrom=NAME.service`),
    // whose ExecReload= then has run.
    if !members.is_empty() && conv.unit(s.unit).contains("\nExecReload=") {
        let r = c.systemctl(&["reload", s.unit]);
        if !r.ok() {
            fail.push(format!(
                "{}: systemctl reload {}: {}",
                s.file, s.unit, r.stderr
            ));
        }
        let propagated = format!("\nReloadPropagatedFrom={}\n", s.unit);
        for m in &members {
            let file = match m.split_once('@') {
                Some((stem, _)) => format!("{stem}@.service"),
                None => m.clone(),
            };
            if !conv.unit(&file).contains(&propagated) {
                continue;
            }
            // The propagated reload is a job of its own: waited for (a loaded machine).
            let ran_of = |shown: &std::collections::BTreeMap<String, String>| {
                shown
                    .get("ExecReload")
                    .is_some_and(|v| v.contains("start_time=[") && !v.contains("start_time=[n/a]"))
            };
            let deadline = Instant::now() + Duration::from_secs(20);
            let mut shown = c.show(m, &["ExecReload"]);
            while !ran_of(&shown) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(200));
                shown = c.show(m, &["ExecReload"]);
            }
            let ran = ran_of(&shown);
            eprintln!("    reload {} → {m}: {shown:?}", s.unit);
            if !ran {
                fail.push(format!(
                    "{}: systemctl reload {} did not reload {m}: {shown:?}",
                    s.file, s.unit
                ));
            }
        }
    }
    let r = c.systemctl(&["stop", s.unit]);
    if let Err(e) = gone(c, &daemons) {
        fail.push(format!("{}: systemctl stop: {e} {}", s.file, r.stderr));
    }
    let after = c.show(s.unit, &["ActiveState", "Result"]);
    if after.get("ActiveState").map(String::as_str) != Some("inactive") {
        fail.push(format!("{}: after stop: {after:?}", s.file));
    }

    let loggers = loggers_to_journal(&loggers, &unit_text);
    if !loggers.is_empty() {
        let units: BTreeSet<String> = std::iter::once(s.unit.to_string())
            .chain(members.iter().cloned())
            .collect();
        fail.extend(
            syslog_identity(c, &unit_text, &units, "live-init-")
                .into_iter()
                .map(|e| format!("{}: {e}", s.file)),
        );
    }

    // Compare.
    if let Some((why, expect)) = s.no_legacy {
        eprintln!("    no legacy side: {why}");
        for p in &ours {
            if p.argv != expect.argv {
                fail.push(format!(
                    "{}: argv {:?}, expected {:?}",
                    s.file, p.argv, expect.argv
                ));
            }
            if p.uid.first() != Some(&expect.uid) {
                fail.push(format!(
                    "{}: uid {:?}, expected {}",
                    s.file, p.uid, expect.uid
                ));
            }
            if p.umask != expect.umask {
                fail.push(format!(
                    "{}: umask {}, expected {}",
                    s.file, p.umask, expect.umask
                ));
            }
            if let Some((k, v)) = expect.limit
                && p.limits.get(k).map(String::as_str) != Some(v)
            {
                fail.push(format!(
                    "{}: {k} {:?}, expected {v}",
                    s.file,
                    p.limits.get(k)
                ));
            }
        }
        return fail;
    }
    let key = |p: &Proc| (p.exe.clone(), p.argv.clone());
    theirs.sort_by_key(key);
    let mut ours = ours;
    ours.sort_by_key(key);
    if theirs.len() != ours.len() {
        fail.push(format!(
            "{}: the script started {} daemon(s), the unit {}",
            s.file,
            theirs.len(),
            ours.len()
        ));
    }
    let mut seen_known = BTreeSet::new();
    for (t, o) in theirs.iter().zip(&ours) {
        let mut rules = rules(&unit_text, unit_env_names(c, &unit_text));
        rules.extend(logger_rules(&loggers, Some(t)));
        let v = judge(compare::differences(t, o), &rules, s.known);
        for (d, why) in &v.accepted {
            eprintln!("      accepted {d} — {why}");
        }
        for (d, why) in &v.known {
            eprintln!("      KNOWN {d} — {why}");
            seen_known.insert(d.key.clone());
        }
        for d in &v.unexplained {
            fail.push(format!("{}: {d}", s.file));
        }
    }
    for k in s.known {
        if !seen_known.contains(k.key) && !theirs.is_empty() {
            fail.push(format!(
                "{}: the known difference `{}` ({}) no longer shows: remove it from the list",
                s.file, k.key, k.reason
            ));
        }
    }
    fail
}

fn run_case(case: &str) {
    let Some(env) = harness::env() else {
        return;
    };
    let conv = corpus::convert("sysv", case);
    let items: Vec<(String, String, Vec<String>)> = conv
        .items("sysv")
        .into_iter()
        .filter(|(_, st, _)| ["translated", "approximated", "wrapped"].contains(&st.as_str()))
        .collect();
    let mut fail = Vec::new();
    for (file, _, _) in &items {
        if !SCRIPTS.iter().any(|s| s.case == case && s.file == file) {
            fail.push(format!(
                "{case}: {file} was converted but the live test has no entry for it"
            ));
        }
    }
    for s in SCRIPTS.iter().filter(|s| s.case == case) {
        if !items.iter().any(|(f, _, _)| f == s.file) {
            fail.push(format!(
                "{case}: {} has an entry but was not converted",
                s.file
            ));
        }
    }
    if items.is_empty() {
        assert!(fail.is_empty(), "{}", fail.join("\n"));
        eprintln!("sysv/{case}: no unit to start");
        return;
    }
    let c = Container::boot(env, &format!("sysv-{case}"), Duration::from_secs(400));
    eprintln!("sysv/{case}: booted {} in {:.2} s", c.name, c.boot_secs);
    corpus::install_host_tree(&c, "sysv", case);
    for s in SCRIPTS.iter().filter(|s| s.case == case) {
        if !s.setup.is_empty() {
            c.sh_ok(s.setup);
        }
        for (path, mode) in s.stand_ins {
            c.stand_in(path, mode);
        }
        for (path, text) in s.shell_stand_ins {
            c.write(path, text.as_bytes(), 0o755);
        }
    }
    c.install_units(&conv.units);
    let mut checked: Vec<&str> = Vec::new();
    for (file, status, _) in &items {
        // A unit set is several items of one script: checked once, as the script's service.
        if checked.contains(&file.as_str()) {
            continue;
        }
        checked.push(file);
        if let Some(s) = SCRIPTS.iter().find(|s| s.case == case && s.file == file) {
            fail.extend(check(&c, &conv, s, status));
        }
    }
    assert!(
        fail.is_empty(),
        "sysv/{case}: {} problem(s):\n{}",
        fail.len(),
        fail.join("\n")
    );
}

#[test]
fn sysv_every_case_has_a_test() {
    let tested = [
        "bad-input",
        "chkconfig-rhel",
        "control-stop",
        "early-boot-order",
        "function-output",
        "helper-functions",
        "host-readings",
        "init-d-script",
        "lsb-start-daemon",
        "must-wrap",
        "oneshot-shell",
        "output-and-reload",
        "output-to-logger",
        "per-config",
        "per-config-dirs",
        "per-entry-client",
        "per-instance-settings",
        "per-list",
        "provides-alias",
        "run-time-values",
        "script-interpreter",
        "settings-options",
        "skipped",
        "some-paths",
        "ssd-background",
        "ssd-forking",
        "start-conditions",
        "syntax-errors",
        "systemd-refuses",
        "tool-daemons",
        "undecided-tests",
        "unit-sets",
        "unset-reference",
    ];
    assert_eq!(
        corpus::cases("sysv"),
        tested,
        "add a test for each new SysV corpus case"
    );
}

#[test]
fn sysv_bad_input() {
    run_case("bad-input");
}

#[test]
fn sysv_chkconfig_rhel() {
    run_case("chkconfig-rhel");
}

#[test]
fn sysv_helper_functions() {
    run_case("helper-functions");
}

#[test]
fn sysv_output_and_reload() {
    run_case("output-and-reload");
}

#[test]
fn sysv_output_to_logger() {
    run_case("output-to-logger");
}

#[test]
fn sysv_syntax_errors() {
    run_case("syntax-errors");
}

#[test]
fn sysv_init_d_script() {
    run_case("init-d-script");
}

#[test]
fn sysv_lsb_start_daemon() {
    run_case("lsb-start-daemon");
}

#[test]
fn sysv_must_wrap() {
    run_case("must-wrap");
}

#[test]
fn sysv_skipped() {
    run_case("skipped");
}

#[test]
fn sysv_ssd_background() {
    run_case("ssd-background");
}

/// A script whose `Provides:` names another init script (its old name, kept as a link): each
/// is a service of its own, as systemd-sysv-generator makes them, and both units enable side by
/// side — an `Alias=` of the other's name would make `systemctl enable` refuse ("already
/// exists") or, enabled first, stand in for the other service.
#[test]
fn sysv_provides_alias() {
    run_case("provides-alias");
    let Some(env) = harness::env() else {
        return;
    };
    let conv = corpus::convert("sysv", "provides-alias");
    let c = Container::boot(env, "sysv-provides-alias-enable", Duration::from_secs(200));
    corpus::install_host_tree(&c, "sysv", "provides-alias");
    c.install_units(&conv.units);
    c.sh_ok("systemctl enable pagerd.service pager-gw.service");
    let states = c.sh_ok("systemctl is-enabled pagerd.service pager-gw.service");
    assert_eq!(
        states.split_whitespace().collect::<Vec<_>>(),
        ["enabled", "enabled"],
        "both units enabled: {states}"
    );
    let pagerd = c.sh_ok("readlink -f /etc/systemd/system/pagerd.service");
    assert_eq!(pagerd.trim(), "/etc/systemd/system/pagerd.service");
}

#[test]
fn sysv_ssd_forking() {
    run_case("ssd-forking");
}

/// What a real systemd refused before: sshd's foreground under PID 1, a run directory for the
/// user the daemon switches to, defaults-file values referring to other variables, a logs
/// directory, file guards.
#[test]
fn sysv_systemd_refuses() {
    run_case("systemd-refuses");
}

/// Values the script computes when it starts (the default router, an owner read from the
/// configuration, a pid file per configuration, options and limits chosen by settings).
#[test]
fn sysv_run_time_values() {
    run_case("run-time-values");
}

/// One daemon per configuration file: `NAME.service` starts one instance of `NAME@.service` per
/// file, the same processes as the script's loop.
#[test]
fn sysv_per_config() {
    run_case("per-config");
}

/// One daemon per configuration directory (`cd /etc/meshd; ls */meshd.conf`, fastd's loop):
/// `meshd.service` starts one instance of `meshd@.service` per directory holding the file, the
/// same processes as the script's loop. With `AUTOSTART="none"` (tund) the script starts
/// nothing, and neither does `tund.service`; set to a name, the script starts the daemon that
/// `tund@NAME.service` starts (argv, user, cwd, environment).
#[test]
fn sysv_per_config_dirs() {
    let Some(env) = harness::env() else {
        return;
    };
    let case = "per-config-dirs";
    let conv = corpus::convert("sysv", case);
    let items = conv.items("sysv");
    let status = |file: &str| {
        items
            .iter()
            .find(|(f, _, _)| f == file)
            .map(|(_, st, _)| st.clone())
            .unwrap_or_default()
    };
    let c = Container::boot(env, "sysv-per-config-dirs", Duration::from_secs(400));
    eprintln!("sysv/{case}: booted {} in {:.2} s", c.name, c.boot_secs);
    corpus::install_host_tree(&c, "sysv", case);
    c.stand_in("/usr/sbin/meshd", "sleep");
    c.stand_in("/usr/sbin/tund", "sleep");
    c.install_units(&conv.units);
    let meshd = Script {
        case,
        file: "/etc/init.d/meshd",
        unit: "meshd.service",
        stand_ins: &[("/usr/sbin/meshd", "sleep")],
        shell_stand_ins: &[],
        toggle_on: None,
        setup: "",
        legacy_stop_fails: None,
        no_legacy: None,
        known: &[],
    };
    let mut fail = check(&c, &conv, &meshd, &status(meshd.file));

    let tund = vec!["/usr/sbin/tund".to_string()];
    let file = "/etc/init.d/tund";
    if status(file) == "wrapped" {
        fail.push(format!("{file}: wrapped"));
    }
    // AUTOSTART="none": nothing either way.
    c.clear_records();
    let (code, log) = legacy(&c, file, "start");
    let theirs = settle(&c, &tund);
    let r = c.systemctl(&["start", "tund.service"]);
    let ours = settle(&c, &tund);
    eprintln!(
        "--- {file} with AUTOSTART=none: legacy exit {code:?}, {} daemon(s); tund.service {}, {} daemon(s)",
        theirs.len(),
        if r.ok() { "started" } else { "failed" },
        ours.len()
    );
    if code != Some(0) || !theirs.is_empty() {
        fail.push(format!(
            "{file}: legacy start with AUTOSTART=none: {code:?}, {} daemon(s): {log}",
            theirs.len()
        ));
    }
    if !r.ok() || !ours.is_empty() {
        fail.push(format!(
            "tund.service with AUTOSTART=none: {}, {} daemon(s)",
            r.stderr.trim(),
            ours.len()
        ));
    }
    c.systemctl(&["stop", "tund.service"]);
    // A name: the script's daemon for it is the template's instance.
    c.sh_ok("sed -i 's/^AUTOSTART=\"none\"/AUTOSTART=\"office\"/' /etc/default/tund");
    c.clear_records();
    let (code, log) = legacy(&c, file, "start");
    let theirs = settle(&c, &tund);
    let (stop_code, stop_log) = legacy(&c, file, "stop");
    if let Err(e) = gone(&c, &tund) {
        fail.push(format!(
            "{file}: legacy stop ({stop_code:?}): {e} {stop_log}"
        ));
    }
    c.clear_records();
    let unit = "tund@office.service";
    let r = c.systemctl(&["start", unit]);
    let ours = settle(&c, &tund);
    for p in theirs.iter().chain(&ours) {
        eprintln!("      {}", describe(p));
    }
    if code != Some(0) || theirs.len() != 1 || !r.ok() || ours.len() != 1 {
        fail.push(format!(
            "{file} with AUTOSTART=office: legacy {code:?} {} daemon(s) ({log}); {unit}: {} {} daemon(s)\n{}",
            theirs.len(),
            r.stderr.trim(),
            ours.len(),
            c.journal(unit)
        ));
    } else {
        let unit_text = conv.unit("tund@.service");
        let rules = rules(&unit_text, unit_env_names(&c, &unit_text));
        let v = judge(compare::differences(&theirs[0], &ours[0]), &rules, &[]);
        for (d, why) in &v.accepted {
            eprintln!("      accepted {d} — {why}");
        }
        for d in &v.unexplained {
            fail.push(format!("{file}: {d}"));
        }
    }
    let r = c.systemctl(&["stop", unit]);
    if let Err(e) = gone(&c, &tund) {
        fail.push(format!("{unit}: systemctl stop: {e} {}", r.stderr));
    }
    assert!(
        fail.is_empty(),
        "sysv/{case}: {} problem(s):\n{}",
        fail.len(),
        fail.join("\n")
    );
}

/// One daemon per word of a setting (`for IFACE in $INTERFACES`) or per line of a list file
/// (`grep -v '^#' FILE | while read NET`): `NAME.service` starts one instance of
/// `NAME@.service` per word or line, the same processes as the script's loop (an empty setting,
/// where neither starts anything, is a unit test: this harness compares running daemons).
#[test]
fn sysv_per_list() {
    run_case("per-list");
}

/// A client set up once per entry of a list file and undone at stop (`$0 connect` running a
/// loop over `awk` output of /etc/blktab, `blkattach -d /dev/$dev` at stop): `NAME@.service`
/// oneshots with `ExecStop=`, started by `NAME.service`, the same processes as the script's.
#[test]
fn sysv_per_entry_client() {
    run_case("per-entry-client");
}

/// A settings file per configuration (`. "$config"` for each `/etc/flowexp/*.conf`,
/// `. /etc/arpmon/$IFACE.iface` for each word of INTERFACES): each instance of `NAME@.service`
/// reads its own (`EnvironmentFile=-…%I…`) and runs the same process as the script's loop.
#[test]
fn sysv_per_instance_settings() {
    run_case("per-instance-settings");
}

/// Scripts that start several daemons: `NAME.service` starts the same processes as
/// `/etc/init.d/NAME start`, and stopping it stops all of them.
#[test]
fn sysv_unit_sets() {
    run_case("unit-sets");
}

/// Options a script builds from tests of its configuration's settings (webfs's idiom): with
/// the configuration on the host, the unit starts the daemon with the options those settings
/// chose; without it (`filesrv`), the script is wrapped and builds them at each start.
#[test]
fn sysv_settings_options() {
    run_case("settings-options");
}

#[test]
fn sysv_start_conditions() {
    run_case("start-conditions");
}

#[test]
fn sysv_tool_daemons() {
    run_case("tool-daemons");
}

#[test]
fn sysv_undecided_tests() {
    run_case("undecided-tests");
}

/// Values assigned only on some paths that the host decides: a launcher prefix set on the
/// start's own path by a setting, a settings file the `else` exits without, where a program is
/// installed (`-x` tests), the daemon found by the pid file the stop action kills; and two
/// daemons run directly, still wrapped.
#[test]
fn sysv_some_paths() {
    run_case("some-paths");
}

/// What the reading takes from the host or the shell's rules: the helper library chosen by
/// which one exists, `. $UNSET`, `basename "$0"`, `run-parts --list` snippets, `eval` of a
/// built command line, options from backquoted tests, and `$0`: a file test of it decided on
/// the script, the backend taken from the name it is run by (`ftpsrv-ldap`).
#[test]
fn sysv_host_readings() {
    run_case("host-readings");
}

/// An early-boot unit of the host is ordered after the script's daemon: our unit is an
/// early-boot unit too (no ordering cycle), and runs the same daemon.
#[test]
fn sysv_early_boot_order() {
    run_case("early-boot-order");
}

/// `$(start_opts)`, a function of the script that only prints: the same options (nice level,
/// I/O class) as the script gives start-stop-daemon; one whose output needs a run stays wrapped.
#[test]
fn sysv_function_output() {
    run_case("function-output");
}

/// A stand-in that records its program path and arguments in `/run/effects`, one line per call.
const EFFECT: &str = "#!/bin/sh\necho \"$0 $*\" >>/run/effects\n";

/// `lsmod` listing `bmc_msghandler` as loaded, recording its call too.
const LSMOD: &str = "#!/bin/sh\necho \"$0 $*\" >>/run/effects\n\
printf 'Module Size Used by\\nbmc_msghandler 16384 0\\n'\n";

/// One-shot setup scripts run in `/bin/sh -c` by their unit: `/etc/init.d/NAME start` and
/// `systemctl start NAME` (then `stop` both ways) run the same commands with the same
/// arguments, in the same order (stand-ins record each call).
#[test]
fn sysv_oneshot_shell() {
    let Some(env) = harness::env() else {
        return;
    };
    let case = "oneshot-shell";
    let conv = corpus::convert("sysv", case);
    let items = conv.items("sysv");
    let c = Container::boot(env, "sysv-oneshot-shell", Duration::from_secs(400));
    eprintln!("sysv/{case}: booted {} in {:.2} s", c.name, c.boot_secs);
    corpus::install_host_tree(&c, "sysv", case);
    for p in [
        "/usr/bin/cpuspeed-set",
        "/sbin/modprobe",
        "/sbin/raidtool",
        "/usr/sbin/fwrules-load",
        "/usr/sbin/fwrules-wait",
    ] {
        c.write(p, EFFECT.as_bytes(), 0o755);
    }
    c.write("/sbin/lsmod", LSMOD.as_bytes(), 0o755);
    // The container has no cpufreq in /sys: the governors the script checks are given here,
    // in a defaults file the shell reads as the script does.
    c.write(
        "/run/governors",
        b"conservative ondemand userspace powersave performance\n",
        0o644,
    );
    c.sh_ok("echo GOVERNORS=/run/governors >>/etc/default/cpuspeed");
    c.install_units(&conv.units);
    let effects = |c: &Container| -> String {
        let text = c.read("/run/effects").unwrap_or_default();
        c.sh_ok("rm -f /run/effects");
        String::from_utf8_lossy(&text).into_owned()
    };
    let mut fail = Vec::new();
    // (script, unit, whether its start does something here, whether its stop does)
    let scripts = [
        ("cpuspeed", true, false),
        ("bmc-modules", true, true),
        ("raid-idle", false, false),
        // `$0` in its command lines: the unit's shell is given the script's path.
        ("fwrules", true, true),
    ];
    for (name, starts, stops) in scripts {
        let file = format!("/etc/init.d/{name}");
        let unit = format!("{name}.service");
        let status = items
            .iter()
            .find(|(f, _, _)| *f == file)
            .map(|(_, st, _)| st.clone())
            .unwrap_or_default();
        if status == "wrapped"
            || !conv
                .finding_codes(&file)
                .iter()
                .any(|f| f == "sysv-shell-action")
        {
            fail.push(format!("{file}: {status}, not run in a shell"));
            continue;
        }
        for (action, expect) in [("start", starts), ("stop", stops)] {
            effects(&c);
            let (code, log) = legacy(&c, &file, action);
            let theirs = effects(&c);
            let r = c.systemctl(&[action, &unit]);
            let ours = effects(&c);
            eprintln!(
                "--- {file} {action}: legacy exit {code:?}, {} call(s); systemctl {}",
                theirs.lines().count(),
                if r.ok() { "ok" } else { "failed" }
            );
            for l in theirs.lines() {
                eprintln!("      {l}");
            }
            if code != Some(0) {
                fail.push(format!("{file} {action}: legacy exit {code:?}: {log}"));
            }
            if !r.ok() {
                fail.push(format!(
                    "{unit} {action}: {}\n{}",
                    r.stderr.trim(),
                    c.journal(&unit)
                ));
            }
            if theirs != ours {
                fail.push(format!(
                    "{file} {action}: the script ran\n{theirs}the unit ran\n{ours}"
                ));
            }
            if expect == theirs.is_empty() {
                fail.push(format!(
                    "{file} {action}: expected {} here, the script ran `{theirs}`",
                    if expect { "calls" } else { "no calls" }
                ));
            }
        }
    }
    assert!(
        fail.is_empty(),
        "sysv/{case}: {} problem(s):\n{}",
        fail.len(),
        fail.join("\n")
    );
}

/// What a stand-in run by a script records: its argv, user, directory and environment (less
/// the variables systemd adds for its own bookkeeping), one call a line.
const RECORDER_CALL: &str = "#!/bin/sh\n\
echo \"$0 $* user=$(id -un) cwd=$(pwd) env=$(env | grep -v -E '^(INVOCATION_ID|JOURNAL_STREAM|SYSTEMD_EXEC_PID|TERM|_)=' | sort | tr '\\n' ' ')\" >>/run/effects\n";

/// The calls [`RECORDER_CALL`] recorded, equal but for what systemd gives every service (the
/// same rules as for daemons, [`rules`]): `LANG=C.UTF-8` where rc passes none, and its own PATH,
/// which holds every directory of rc's.
fn same_calls(theirs: &str, ours: &str) -> bool {
    let split = |l: &str| -> (String, BTreeSet<String>) {
        let (call, env) = l.split_once(" env=").unwrap_or((l, ""));
        (
            call.to_string(),
            env.split_whitespace().map(str::to_string).collect(),
        )
    };
    let (t, o): (Vec<&str>, Vec<&str>) = (theirs.lines().collect(), ours.lines().collect());
    t.len() == o.len()
        && t.iter().zip(&o).all(|(t, o)| {
            let ((tc, mut te), (oc, mut oe)) = (split(t), split(o));
            let var = |e: &BTreeSet<String>, n: &str| {
                e.iter().find(|w| w.starts_with(&format!("{n}="))).cloned()
            };
            if var(&te, "LANG").is_none() {
                oe.remove("LANG=C.UTF-8");
            }
            if let (Some(tp), Some(op)) = (var(&te, "PATH"), var(&oe, "PATH"))
                && op == format!("PATH={}", compare::SYSTEMD_PATH)
                && compare::path_dirs(&tp[5..]).is_subset(&compare::path_dirs(&op[5..]))
            {
                te.remove(&tp);
                oe.remove(&op);
            }
            tc == oc && te == oe
        })
}

/// Shell actions run by the shell of the script's `#!` line: a `#!/bin/bash` script's arrays
/// and `[[ … ]]` (dash, Debian's /bin/sh, has neither) run its workers through `su` with the
/// same argv, user, directory and environment as `/etc/init.d/farmhand start`/`stop`; a
/// `#!/bin/sh -e` script whose tool fails stops after the first call both ways.
#[test]
fn sysv_script_interpreter() {
    let Some(env) = harness::env() else {
        return;
    };
    let case = "script-interpreter";
    let conv = corpus::convert("sysv", case);
    let items = conv.items("sysv");
    let c = Container::boot(env, "sysv-script-interpreter", Duration::from_secs(400));
    eprintln!("sysv/{case}: booted {} in {:.2} s", c.name, c.boot_secs);
    corpus::install_host_tree(&c, "sysv", case);
    c.write("/usr/bin/farmhand", RECORDER_CALL.as_bytes(), 0o755);
    // The tool fails: with `set -e` from the `#!` line the loop ends at its first call.
    c.write(
        "/usr/sbin/queue-tune",
        format!("{RECORDER_CALL}exit 1\n").as_bytes(),
        0o755,
    );
    c.sh_ok("chown -R farmhand:farmhand /srv/farmhand");
    c.install_units(&conv.units);
    // Written by the workers' user too.
    let effects = |c: &Container| -> String {
        let text = c.read("/run/effects").unwrap_or_default();
        c.sh_ok("rm -f /run/effects && install -m 0666 /dev/null /run/effects");
        String::from_utf8_lossy(&text).into_owned()
    };
    let mut fail = Vec::new();
    // (script, action, whether both ways succeed, the calls expected)
    let runs = [
        ("farmhand", "start", true, 1),
        ("farmhand", "stop", true, 1),
        ("queue-tune", "start", false, 1),
    ];
    for (name, action, succeeds, calls) in runs {
        let file = format!("/etc/init.d/{name}");
        let unit = format!("{name}.service");
        let status = items
            .iter()
            .find(|(f, _, _)| *f == file)
            .map(|(_, st, _)| st.clone())
            .unwrap_or_default();
        if status == "wrapped" {
            fail.push(format!("{file}: wrapped"));
            continue;
        }
        effects(&c);
        let (code, log) = legacy(&c, &file, action);
        let theirs = effects(&c);
        let r = c.systemctl(&[action, &unit]);
        let ours = effects(&c);
        eprintln!(
            "--- {file} {action}: legacy exit {code:?}, {} call(s); systemctl {}",
            theirs.lines().count(),
            if r.ok() { "ok" } else { "failed" }
        );
        for l in theirs.lines() {
            eprintln!("      {l}");
        }
        if (code == Some(0)) != succeeds {
            fail.push(format!("{file} {action}: legacy exit {code:?}: {log}"));
        }
        if r.ok() != succeeds {
            fail.push(format!(
                "{unit} {action}: {} (expected {})\n{}",
                if r.ok() { "succeeded" } else { "failed" },
                if succeeds { "success" } else { "failure" },
                c.journal(&unit)
            ));
        }
        if !same_calls(&theirs, &ours) {
            fail.push(format!(
                "{file} {action}: the script ran\n{theirs}the unit ran\n{ours}"
            ));
        }
        if theirs.lines().count() != calls {
            fail.push(format!(
                "{file} {action}: expected {calls} call(s), the script made `{theirs}`"
            ));
        }
        if name == "farmhand" && !theirs.contains("user=farmhand cwd=/srv/farmhand ") {
            fail.push(format!(
                "{file} {action}: not run as farmhand in its home: `{theirs}`"
            ));
        }
        // A failed one-shot start leaves the unit failed: cleared for the next run.
        c.sh_ok(&format!("systemctl reset-failed {unit} || true"));
    }
    assert!(
        fail.is_empty(),
        "sysv/{case}: {} problem(s):\n{}",
        fail.len(),
        fail.join("\n")
    );
}

/// A defaults-file value built from a setting the file leaves commented out (yadifa's
/// `DAEMON_ARGS="-d -c $CONFIG_FILE"`): the unit starts the daemon with the value the shell
/// expands; one referring to `$HOME` stays wrapped, and its wrapper starts the same daemon.
#[test]
fn sysv_unset_reference() {
    run_case("unset-reference");
}

/// Control programs started and stopped by the script (`CTL start` … `CTL stop`, through
/// init-d-script's start command as courier's scripts do, or named by a variable as strongswan's
/// `$STARTER`): the unit's `ExecStop=` runs the control program's stop, which ends the daemon.
#[test]
fn sysv_control_stop() {
    run_case("control-stop");
}
