#!/bin/sh
# Builds a host tree from real Debian packages and measures the SysV frontend on it.
#
#   scripts/sysv-host.sh [--build] [CACHE_DIR]
#   SYSV_PACKAGES="pkg1 pkg2 …" scripts/sysv-host.sh --build OTHER_CACHE_DIR   # other packages
#
# CACHE_DIR (default ~/.cache/systemdify-sysv-host; never inside the repository) receives the
# downloaded .deb files and the tree. The tree is every package's whole contents unpacked into
# one directory (dpkg-deb -x), with:
#   - the packages' own systemd units moved aside to CACHE_DIR/units (the converter must not see
#     them, or it skips the scripts; the measurement compares against them),
#   - rc?.d links as `update-rc.d NAME defaults` makes them (S01 in the Default-Start runlevels,
#     K01 in the Default-Stop ones),
#   - this machine's systemd units (of the systemd package: a real host has them),
#   - /etc/passwd and /etc/group from this machine plus the system users each package's
#     maintainer scripts create (`adduser --system … NAME`, `useradd … NAME`).
# Then it runs `systemdify scan --from sysv`-equivalent (`convert` on every /etc/init.d script)
# and prints:
#   - native: the share of non-skipped scripts translated or approximated (not wrapped),
#   - same executable: of the scripts whose package ships a unit named like the script (or an
#     alias of it, or a NAME@ template — not the per-connection NAME@.service of a NAME.socket
#     with Accept=yes when NAME.service runs the standalone daemon too: that is inetd-style
#     activation, another mode than the script's; nor a NAME@.service beside a NAME.service
#     that runs a program of its own when we wrote no template: one instance per name, such as
#     lxc@.service's one container, is another mode than the script's), the share where the
#     executables of our ExecStart= lines include every executable of the package's ExecStart=
#     lines (commands, not unit names; symbolic links in the tree followed: in.tftpd is
#     atftpd),
#   - verify: `systemd-analyze verify` over every unit written.
# Third-party files stay in CACHE_DIR; nothing of them is committed.
#
# The other sets measured (README.md, "Measurement on real Debian init scripts"), as
# SYSV_PACKAGES values:
#   held-out: atftpd bacula-fd beanstalkd bird2 cntlm darkstat dictd distcc dpkg fetchmail
#     gearman-job-server inadyn iodine knockd lsb-base miredo nbd-server nsd nullmailer ocserv
#     oidentd pdns-recursor privoxy redsocks rinetd sniproxy sslh stunnel4 sysvinit-utils
#     tinyproxy ulogd2 uptimed vnstat xl2tpd znc
#   third (never tuned against): ser2net rlinetd smstools mpd apcupsd tftpd-hpa pure-ftpd
#     dropbear conntrackd ifplugd isc-dhcp-relay dhcp-helper udhcpd arpwatch opensmtpd opendmarc
#     apt-cacher-ng nslcd unscd fancontrol tinc pptpd minissdpd miniupnpd darkice dante-server
#     softflowd atop incron watchdog sasl2-bin ddclient sysvinit-utils lsb-base dpkg
#   fourth (Debian 12, none of the above, each shipping /etc/init.d; never tuned against):
#     syslog-ng-core slapd krb5-kdc krb5-admin-server ngircd prosody mumble-server ipvsadm
#     auditd openvswitch-switch lxc pcscd bluez cups-daemon lprng rwhod winbind corosync tgt
#     mdadm nbd-client webfs mini-httpd wide-dhcpv6-server openipmi cpufrequtils quota inspircd
#     shellinabox ptunnel sysvinit-utils lsb-base dpkg
#   fifth (Debian 12, none of the above, each shipping /etc/init.d; netatalk, maradns,
#   milter-greylist and suricata are not downloadable there, so 31 scripts): gpsd bitlbee ptpd
#     openhpid lldpad ladvd triggerhappy vtun ziproxy fprobe icecc freeradius kamailio
#     cyrus-imapd sendmail-bin nagios4 icinga2 fcgiwrap thin jetty9 rabbitmq-server netatalk
#     rbldnsd maradns resolvconf rdnssd hdparm open-vm-tools spice-vdagent motion
#     prometheus-alertmanager graphite-carbon milter-greylist sqlgrey mimedefang ircd-hybrid
#     shairport-sync psad portsentry suricata kexec-tools sysvinit-utils lsb-base dpkg
#   sixth (Debian 12, none of the above; fcron, mcelog and opensips are not downloadable there,
#   so 42 scripts; built and measured once, never tuned against): xrdp gdm3 connman netplug
#     docker.io cfengine3 prometheus-blackbox-exporter pgbouncer pgpool2 sphinxsearch unicorn
#     lsyncd fcron busybox-syslogd firehol shorewall ferm heimdal-kdc tacacs+ brltty numad
#     mcelog tlp glusterfs-server htpdate coturn opensips rspamd c-icap spamass-milter
#     clamav-milter mailgraph policyd-weight pdnsd pound racoon ndppd olsrd babeld pmacct
#     argus-server fwknop-server boinc-client burp conserver-server ntopng zoneminder
#     hylafax-server courier-imap sysvinit-utils lsb-base dpkg
#   seventh (Debian 12, none of the above, each shipping /etc/init.d; 50 scripts; tuned
#   against):
#     amavisd-new courier-mta greylistd postsrsd inn2 dnsdist yadifa ganglia-monitor smokeping
#     prometheus sec nsca zabbix-proxy-sqlite3 strongswan-starter n2n i2pd kea-dhcp4-server
#     inetutils-inetd e2guardian hitch uwsgi radicale mariadb-server influxdb redis-sentinel
#     zookeeperd minetest-server crossfire-server armagetronad-dedicated lcdproc lirc espeakup
#     trousers ipmitool open-iscsi lxcfs supervisor backuppc deluged ircd-irc2 munge slurmd
#     sysvinit-utils lsb-base dpkg
#   eighth (Debian 12, none of the above, each shipping /etc/init.d; 45 scripts; built and
#   measured once, never tuned against):
#     amavisd-milter courier-authdaemon courier-pop spampd mailman3 knot knot-resolver
#     dnssec-trigger gmetad prometheus-snmp-exporter prometheus-postgres-exporter
#     prometheus-pushgateway mon nsca-ng-server zabbix-server-pgsql snmptrapd xymon-client
#     nfdump shadowsocks-libev radsecproxy frr stun-server netfilter-persistent
#     inetutils-syslogd tayga ufw p910nd trafficserver nghttp2-proxy h2o apt-cacher
#     postgresql-common firebird3.0-server activemq openarena-server wesnoth-1.16-server
#     owserver inputlirc speech-dispatcher qemu-guest-agent multipath-tools schroot
#     amule-daemon ejabberd sysvinit-utils lsb-base dpkg
#   ninth (Debian 12, none of the above, each shipping /etc/init.d; 53 scripts; tuned against):
#     courier-ldap qpsmtpd perdition dnsproxy opendnssec-enforcer opendnssec-signer pcp
#     munin-async xymon prometheus-apache-exporter prometheus-mysqld-exporter sshguard fastd pimd
#     kea-dhcp6-server ldirectord ypserv git-daemon-sysvinit bip jabberd2 knxd yaws nutcracker
#     etcd-server galera-arbitrator-4 drbd-utils ctdb bacula-sd bacula-director sanlock
#     moosefs-master moosefs-chunkserver corosync-qnetd corosync-qdevice slurmctld slurmdbd
#     buildbot-worker bzflag-server nut-client ipmiutil mopidy snapserver snapclient
#     sysvinit-utils lsb-base dpkg
#   tenth (Debian 12, none of the above, each shipping /etc/init.d; 42 scripts; built and
#   measured once, never tuned against):
#     postfwd imapproxy sympa cyrus-common tinydns kea-dhcp-ddns-server collectl rrdcached
#     prometheus-bind-exporter prometheus-postfix-exporter samhain scanlogd arpon exabgp smcroute
#     igmpproxy rarpd wide-dhcpv6-client shorewall6 ypbind-mt atheme-services shibboleth-sp-utils
#     sssd-common sks clickhouse-server repmgr-common cachefilesd ocfs2-tools dlm-controld vdr
#     pacemaker xen-utils-common gkrellmd conman powerman gammu-smsd rng-tools-debian scanbd
#     lcd4linux squeezelite sysvinit-utils lsb-base dpkg
set -eu

PACKAGES="acpid anacron apache2 at autofs bind9 chrony clamav-daemon clamav-freshclam
collectd-core cron cups-browsed dbus dnsmasq dovecot-core exim4-base fail2ban gpm haproxy
haveged hostapd icecast2 irqbalance isc-dhcp-server keepalived lighttpd lldpd memcached
minidlna monit mosquitto munin-node nagios-nrpe-server nfs-common nfs-kernel-server
nginx-common nscd ntpsec nut-server openbsd-inetd opendkim openntpd openssh-server openvpn
php8.2-fpm postfix postgrey proftpd-core prometheus-node-exporter radvd redis-server
rng-tools5 rpcbind rsync samba sane-utils smartmontools snmpd spamd squid sysstat tor
transmission-daemon unbound uuid-runtime varnish vsftpd xinetd zabbix-agent
sysvinit-utils lsb-base dpkg"
PACKAGES=${SYSV_PACKAGES:-$PACKAGES}

build=no
if [ "${1:-}" = "--build" ]; then build=yes; shift; fi
CACHE=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/systemdify-sysv-host}
REPO=$(cd "$(dirname "$0")/.." && pwd)
case "$CACHE/" in "$REPO"/*) echo "CACHE_DIR must be outside the repository" >&2; exit 2 ;; esac
DEBS=$CACHE/debs
TREE=$CACHE/root
UNITS=$CACHE/units
OUT=$CACHE/out
mkdir -p "$DEBS"

if [ "$build" = yes ] || [ ! -d "$TREE/etc/init.d" ]; then
    (cd "$DEBS" && for p in $PACKAGES; do
        ls "$p"_*.deb >/dev/null 2>&1 || apt-get download "$p" >/dev/null 2>&1 \
            || echo "not downloaded: $p" >&2
    done)
    rm -rf "$TREE" "$UNITS" "$CACHE/control/deps" && mkdir -p "$TREE" "$UNITS" "$CACHE/control/deps"
    : >"$CACHE/scripts.list"
    for deb in "$DEBS"/*.deb; do
        dpkg-deb -x "$deb" "$TREE"
        c=$CACHE/control/$(basename "$deb" .deb) && rm -rf "$c" && dpkg-deb -e "$deb" "$c"
        dpkg-deb -c "$deb" | awk '{print $NF}' | sed -n 's|^\./etc/init\.d/\(..*\)|/etc/init.d/\1|p' \
            >>"$CACHE/scripts.list"
    done
    # A real host has a package's dependencies installed: a file an init script sources that
    # none of the packages ships comes from the package's Depends: (bacula-fd sources
    # bacula-common's common-functions.init). Each such dependency (first alternatives only) that
    # ships the file is unpacked too; its own init scripts are not measured.
    # The alternatives a package's postinst installs (`update-alternatives --install LINK NAME
    # PATH PRIORITY`, its plain `VAR=value` assignments substituted), as "LINK PATH PRIORITY".
    alternatives() {
        python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read().replace("\\\n", " ")
vars = dict(re.findall(r"^\s*([A-Za-z_][A-Za-z0-9_]*)=[\"']?([A-Za-z0-9_./+-]*)[\"']?\s*$", text, re.M))
def expand(w):
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: vars.get(m.group(1), "\0"), w.strip("\"'"))
for m in re.finditer(r"update-alternatives\s+(?:--\S+\s+)*--install\s+(\S+)\s+\S+\s+(\S+)\s+(\d+)", text):
    link, path = expand(m.group(1)), expand(m.group(2))
    if "\0" not in link + path and link.startswith("/") and path.startswith("/"):
        print(link, path, m.group(3))
PY
    }
    : >"$CACHE/dependencies" && : >"$CACHE/alternatives"
    for deb in "$DEBS"/*.deb; do
        for s in $(dpkg-deb -c "$deb" | awk '{print $NF}' | sed -n 's|^\./\(etc/init\.d/..*\)|\1|p'); do
            [ -f "$TREE/$s" ] || continue
            sed -n 's/^[[:space:]]*\(\.\|source\)[[:space:]]\{1,\}\(\/[^[:space:];|&$`"'"'"']*\).*/\2/p' "$TREE/$s"
        done | sort -u | while read -r f; do
            # Settings files are the admin's (or a maintainer script's), not a dependency's.
            case "$f" in /etc/default/* | /etc/sysconfig/*) continue ;; esac
            [ -e "$TREE$f" ] && continue
            dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/:.*//; s/[[:space:]]//g' \
                | grep . | while read -r dep; do
                mkdir -p "$DEBS/deps"
                ls "$DEBS/deps/${dep}"_*.deb >/dev/null 2>&1 \
                    || (cd "$DEBS/deps" && apt-get download "$dep" >/dev/null 2>&1) || continue
                for d in "$DEBS/deps/${dep}"_*.deb; do
                    # The file itself, or under a link of the alternatives the dependency's
                    # postinst installs (zookeeper's /etc/zookeeper/conf → conf_example).
                    c=$CACHE/control/deps/$(basename "$d" .deb) && rm -rf "$c" && dpkg-deb -e "$d" "$c"
                    shipped=$f
                    if [ -f "$c/postinst" ]; then
                        shipped=$(alternatives "$c/postinst" | while read -r link path _; do
                            case "$f" in "$link"/*) echo "$path/${f#"$link"/}" ;; esac
                        done | head -1)
                        shipped=${shipped:-$f}
                    fi
                    if dpkg-deb -c "$d" | awk '{print $NF}' | grep -qx "\.$shipped"; then
                        dpkg-deb -x "$d" "$TREE"
                        echo "$(dpkg-deb -f "$deb" Package): $dep ships $f" >>"$CACHE/dependencies"
                        [ -f "$c/postinst" ] && cp "$c/postinst" "$CACHE/control/deps/$dep.postinst"
                    fi
                    rm -rf "$c"
                done
                if [ -e "$TREE$f" ]; then break; fi
            done
        done
    done
    # Alternatives as the packages' (and unpacked dependencies') postinst scripts install
    # them: each link to its highest-priority path that the tree has, unless the link is there.
    for f in "$CACHE"/control/*/postinst "$CACHE"/control/deps/*.postinst; do
        [ -f "$f" ] && alternatives "$f"
    done | sort -k1,1 -k3,3nr | awk '!seen[$1]++' | while read -r link path prio; do
        if [ ! -e "$TREE$link" ] && [ ! -L "$TREE$link" ] && [ -e "$TREE$path" ]; then
            mkdir -p "$TREE$(dirname "$link")" && ln -s "$path" "$TREE$link"
            echo "$link -> $path ($prio)" >>"$CACHE/alternatives"
        fi
    done
    # The packages' own units, moved aside (both /lib and /usr/lib layouts).
    for d in lib/systemd/system usr/lib/systemd/system etc/systemd/system; do
        [ -d "$TREE/$d" ] || continue
        cp -a "$TREE/$d/." "$UNITS/"
        rm -rf "${TREE:?}/$d"
    done
    # Users and groups: this machine's, plus the system users the packages create.
    mkdir -p "$TREE/etc"
    cp /etc/passwd "$TREE/etc/passwd"
    cp /etc/group "$TREE/etc/group"
    uid=900
    for u in $(cat "$CACHE"/control/*/postinst "$CACHE"/control/deps/*.postinst 2>/dev/null \
        | sed -n 's/.*\(adduser\|useradd\) [^;|&]*--system[^;|&]*/&/p' \
        | sed 's/[;|&].*//; s/\\$//' | awk '{print $NF}' | tr -d '"' | grep -E '^[a-z_][a-z0-9_-]*$' \
        | sort -u) bind Debian-exim clamav memcache mosquitto redis sshd postfix unbound tor \
        debian-tor _chrony vsftpd nagios munin proftpd postgrey spamd transmission zabbix \
        Debian-snmp nut prometheus opendkim haproxy varnish vcache varnishlog _lldpd minidlna \
        icecast2 dnsmasq uuidd statd _rpc ntpsec daemon; do
        grep -q "^$u:" "$TREE/etc/passwd" || {
            echo "$u:x:$uid:$uid::/nonexistent:/usr/sbin/nologin" >>"$TREE/etc/passwd"
            echo "$u:x:$uid:" >>"$TREE/etc/group"
            uid=$((uid + 1))
        }
    done
    # rc?.d links as `update-rc.d NAME defaults` makes them.
    for s in "$TREE"/etc/init.d/*; do
        [ -f "$s" ] && [ -x "$s" ] || continue
        n=$(basename "$s")
        start=$(sed -n 's/^# *Default-Start: *//p' "$s" | head -1)
        stop=$(sed -n 's/^# *Default-Stop: *//p' "$s" | head -1)
        for l in $start; do mkdir -p "$TREE/etc/rc$l.d" && ln -sf "../init.d/$n" "$TREE/etc/rc$l.d/S01$n"; done
        for l in $stop; do mkdir -p "$TREE/etc/rc$l.d" && ln -sf "../init.d/$n" "$TREE/etc/rc$l.d/K01$n"; done
    done
fi

# A real host runs systemd: its own units (this machine's systemd package, not the measured
# packages') are put in the tree on every run, so that the converter sees what early boot orders
# itself after (systemd-update-utmp.service is After=auditd.service).
if dpkg -L systemd >/dev/null 2>&1; then
    dpkg -L systemd | grep -E '^/(usr/)?lib/systemd/system/' | while read -r f; do
        [ -f "$f" ] || [ -L "$f" ] || continue
        mkdir -p "$TREE$(dirname "$f")" && cp -P "$f" "$TREE$f"
    done
fi

BIN=${SYSTEMDIFY:-$REPO/target/debug/systemdify}
[ -x "$BIN" ] || (cd "$REPO" && cargo build --quiet)
rm -rf "$OUT" && mkdir -p "$OUT"
# The listed packages' init scripts (not those of dependencies unpacked for what they source).
if [ -s "$CACHE/scripts.list" ]; then
    scripts=$(sort -u "$CACHE/scripts.list" | while read -r s; do [ -f "$TREE$s" ] && echo "$s"; done)
else
    scripts=$(cd "$TREE" && find etc/init.d -maxdepth 1 -type f | sort | sed 's|^|/|')
fi
[ -s "$CACHE/dependencies" ] && sed 's/^/dependency unpacked: /' "$CACHE/dependencies"
# shellcheck disable=SC2086
"$BIN" convert --from sysv --root "$TREE" -o "$OUT/units" --report "$OUT/report.json" $scripts \
    >"$OUT/stdout" 2>"$OUT/stderr" || true

python3 - "$OUT" "$UNITS" "$TREE" <<'EOF'
import json, os, re, sys
out, units, tree = sys.argv[1:4]
report = json.load(open(os.path.join(out, "report.json")))
# One script may give several items (a unit set: the script's own service and one per
# daemon): a script counts once, by its first item, with the units of all of them.
by_file = {}
for i in report["items"]:
    if i["source"]["format"] != "sysv":
        continue
    if i["source"]["file"] in by_file:
        by_file[i["source"]["file"]]["units"] += i["units"]
    else:
        by_file[i["source"]["file"]] = dict(i, units=list(i["units"]))
items = list(by_file.values())
counted = [i for i in items if i["status"] not in ("skipped", "error")]
native = [i for i in counted if i["status"] in ("translated", "approximated")]
wrapped = [i for i in counted if i["status"] == "wrapped"]

def real(word):
    """An executable's name after the symbolic links the tree has for it (in.tftpd -> atftpd:
    the same program), links inside the tree only."""
    if not word.startswith("/"):
        return os.path.basename(word)
    path = word
    for _ in range(16):
        full = tree + path
        if not os.path.islink(full):
            break
        target = os.readlink(full)
        path = os.path.normpath(target if target.startswith("/") else os.path.join(os.path.dirname(path), target))
    return os.path.basename(path)

def execs(path, seen=()):
    """The executables of a unit's ExecStart= lines (prefixes and arguments dropped, symbolic
    links in the tree followed), its drop-ins included."""
    found = []
    paths = [path] + sorted(
        os.path.join(path + ".d", f) for f in (os.listdir(path + ".d") if os.path.isdir(path + ".d") else [])
    )
    for p in paths:
        if not os.path.isfile(p):
            continue
        for line in open(p, errors="replace"):
            m = re.match(r"\s*ExecStart\s*=\s*(.*)", line)
            if not m or not m.group(1).strip():
                continue
            word = m.group(1).strip().lstrip("-@+!:|").split()[0]
            found.append(real(word))
    return found

def per_connection(name):
    """NAME.socket with Accept=yes: NAME@.service is the unit inetd-style socket activation
    starts for each connection (proftpd's in.proftpd), another mode than the script's daemon."""
    sock = os.path.join(units, name + ".socket")
    return os.path.isfile(sock) and re.search(
        r"^\s*Accept\s*=\s*(yes|true|1|on)\s*$", open(sock, errors="replace").read(), re.M | re.I
    ) is not None

def runs_something(unit):
    """Whether a unit's ExecStart= lines run a program of their own (not only `true`/`sh`)."""
    return any(e not in ("true", "sh") for e in execs(unit))

def package_units(name, ours):
    """The package's own unit for a script: NAME.service, a unit aliasing it, a NAME@ template
    (unless it is the per-connection unit of a socket with Accept=yes and the package ships
    NAME.service for the standalone daemon too: then that is the script's counterpart; or
    unless NAME.service runs a program of its own and our units, `ours`, have no template:
    then the template is another mode than the script's, lxc@.service starting one named
    container where the script and lxc.service autostart them all)."""
    out = []
    service = os.path.join(units, name + ".service")
    template_is_other_mode = os.path.isfile(service) and (
        per_connection(name) or (runs_something(service) and not any("@." in u for u in ours))
    )
    for f in sorted(os.listdir(units)):
        full = os.path.join(units, f)
        if f == name + ".service" or (f == name + "@.service" and not template_is_other_mode):
            out.append(full)
        elif f.endswith(".service") and os.path.isfile(full):
            text = open(full, errors="replace").read()
            if re.search(r"^Alias=.*\b" + re.escape(name) + r"\.service", text, re.M):
                out.append(full)
    return out

compared = same = 0
differ = []
for i in counted:
    name = i["source"]["name"]
    theirs = [e for u in package_units(name, i["units"]) for e in execs(u)]
    if not theirs:
        continue
    theirs = [e for e in theirs if e not in ("true", "sh")]
    if not theirs:
        continue
    compared += 1
    ours = set()
    for u in i["units"]:
        ours.update(execs(os.path.join(out, "units", u)))
    if set(theirs) <= ours:
        same += 1
    else:
        differ.append(f"{name}: ours {sorted(ours)} theirs {sorted(set(theirs))} ({i['status']})")

print(f"scripts: {len(items)}, skipped or errors: {len(items) - len(counted)}")
print(f"native: {len(native)}/{len(counted)} = {100 * len(native) / max(1, len(counted)):.0f}%")
print(f"same executable as the package's unit: {same}/{compared} = {100 * same / max(1, compared):.0f}%")
if wrapped:
    print("wrapped:")
    for i in wrapped:
        why = next((f["message"] for f in i["findings"] if f["code"] == "sysv-wrapped"), "")
        print(f"  {i['source']['name']}: {why}")
if differ:
    print("different executables:")
    for d in differ:
        print("  " + d)
EOF

cd "$OUT/units"
# shellcheck disable=SC2046
if SYSTEMD_LOG_LEVEL=err systemd-analyze verify --root=/ $(find . -maxdepth 1 -name '*.service' -o -maxdepth 1 -name '*.target' | sort) \
    >"$OUT/verify" 2>&1; then
    echo "verify: every unit verifies"
else
    # Missing executables of this machine are expected (the daemons are only in the tree).
    bad=$(grep -v -e 'is not executable' -e 'No such file or directory' -e 'Command .* is not executable' "$OUT/verify" | grep -c . || true)
    echo "verify: $bad problem lines besides missing executables (see $OUT/verify)"
    grep -v -e 'is not executable' -e 'No such file or directory' "$OUT/verify" | head -20 || true
fi
