//! What supervisord options become: each test converts a small configuration on a host tree
//! and looks at the units and the report, one rule of `MIGRATION.md` ("supervisord —
//! conversion") per test.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;

use systemdify::front::{self, Input};
use systemdify::host::Host;
use systemdify::ir::Format;
use systemdify::pipeline;
use systemdify::report::{ReportItem, Status};

const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\nweb:x:1000:1000::/home/web:/bin/sh\ndeploy:x:1001:1001::/home/deploy:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n";

struct Host_ {
    dir: tempfile::TempDir,
}

impl Host_ {
    fn new() -> Self {
        let h = Host_ {
            dir: tempfile::tempdir().unwrap(),
        };
        h.file("/etc/passwd", PASSWD);
        h.file("/etc/group", "root:x:0:\nweb:x:1000:\n");
        h.file("/etc/hostname", "box\n");
        h
    }

    fn file(&self, path: &str, text: &str) -> &Self {
        let p = self.dir.path().join(path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        self
    }

    fn program(&self, path: &str) -> &Self {
        self.file(path, "#!/bin/sh\n");
        let p = self.dir.path().join(path.trim_start_matches('/'));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        self
    }

    /// Converts `/etc/supervisor/supervisord.conf` holding `conf`.
    fn convert(&self, conf: &str) -> Converted {
        self.convert_with(conf, front::supervisord::Options::default())
    }

    fn convert_with(&self, conf: &str, sup: front::supervisord::Options) -> Converted {
        self.convert_opts(conf, sup, false)
    }

    fn convert_opts(
        &self,
        conf: &str,
        sup: front::supervisord::Options,
        journal: bool,
    ) -> Converted {
        let path = "/etc/supervisor/supervisord.conf";
        self.file(path, conf);
        let host = Host::at(self.dir.path());
        let mut options = pipeline::Options::default();
        options.front.from = front::From::Only(Format::Supervisord);
        options.front.supervisord = sup;
        options.journal = journal;
        let input = Input {
            display: path.to_string(),
            host_path: Some(path.to_string()),
            data: Ok(conf.as_bytes().to_vec()),
        };
        let c = pipeline::convert(&[input], &host, &options);
        Converted {
            files: c.files.into_iter().map(|f| (f.path, f.contents)).collect(),
            items: c.report.items,
        }
    }
}

struct Converted {
    files: BTreeMap<String, String>,
    items: Vec<ReportItem>,
}

impl Converted {
    fn unit(&self, name: &str) -> &str {
        self.files
            .get(name)
            .unwrap_or_else(|| panic!("no {name} among {:?}", self.files.keys()))
    }

    /// The values of `key=` in unit `name`, in order.
    fn values(&self, name: &str, key: &str) -> Vec<String> {
        self.unit(name)
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("{key}=")))
            .map(str::to_string)
            .collect()
    }

    fn value(&self, name: &str, key: &str) -> Option<String> {
        self.values(name, key).pop()
    }

    fn item(&self, name: &str) -> &ReportItem {
        self.items
            .iter()
            .find(|i| i.source.name == name)
            .unwrap_or_else(|| panic!("no item {name}"))
    }

    fn codes(&self, name: &str) -> Vec<&'static str> {
        self.item(name)
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .collect()
    }
}

#[test]
fn a_single_program_is_a_service_named_after_its_process_with_an_absolute_program() {
    let h = Host_::new();
    h.program("/usr/bin/python3");
    let c = h.convert(
        "[supervisord]\n[program:web]\nprocess_name=web-app\ncommand=python3 -m http.server 8000\nuser=web\ndirectory=/srv\n",
    );
    let item = c.item("web");
    assert_eq!(item.units, vec!["web-app.service"]);
    assert_eq!(item.source.line, Some(2));
    assert_eq!(
        c.value("web-app.service", "ExecStart").as_deref(),
        Some("@/usr/bin/python3 python3 -m http.server 8000"),
        "argv[0] stays `python3`, as supervisord passes it"
    );
    assert_eq!(c.value("web-app.service", "Type").as_deref(), Some("exec"));
    assert_eq!(c.value("web-app.service", "User").as_deref(), Some("web"));
    assert_eq!(
        c.value("web-app.service", "WorkingDirectory").as_deref(),
        Some("/srv")
    );
    assert_eq!(
        c.value("web-app.service", "WantedBy").as_deref(),
        Some("multi-user.target")
    );
    assert!(!c.codes("web").contains(&"command-not-found"));
}

#[test]
fn a_program_missing_on_the_host_keeps_its_name_with_command_not_found() {
    let h = Host_::new();
    let c = h.convert("[supervisord]\n[program:w]\ncommand=worker --fast\n");
    assert_eq!(
        c.value("w.service", "ExecStart").as_deref(),
        Some("worker --fast")
    );
    assert!(c.codes("w").contains(&"command-not-found"));
}

#[test]
fn the_program_is_looked_up_on_the_path_of_its_own_environment() {
    let h = Host_::new();
    h.program("/opt/app/bin/worker");
    let c = h.convert(
        "[supervisord]\n[program:w]\ncommand=worker\nenvironment=PATH=\"/opt/app/bin:/usr/bin\"\n",
    );
    assert_eq!(
        c.value("w.service", "ExecStart").as_deref(),
        Some("@/opt/app/bin/worker worker")
    );
}

#[test]
fn an_absolute_program_is_written_without_a_separate_argv0() {
    let h = Host_::new();
    h.program("/usr/bin/python3");
    let c = h.convert("[supervisord]\n[program:w]\ncommand=/usr/bin/python3 -m w\n");
    assert_eq!(
        c.value("w.service", "ExecStart").as_deref(),
        Some("/usr/bin/python3 -m w")
    );
}

#[test]
fn autorestart_unexpected_restarts_on_zero_when_zero_is_not_listed_and_on_clean_signals() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[program:w]\ncommand=/bin/w\nautorestart=unexpected\nexitcodes=2,3\n",
    );
    assert_eq!(
        c.value("w.service", "Restart").as_deref(),
        Some("on-failure")
    );
    assert_eq!(
        c.value("w.service", "SuccessExitStatus").as_deref(),
        Some("2 3")
    );
    assert_eq!(
        c.value("w.service", "RestartForceExitStatus").as_deref(),
        Some("0 SIGHUP SIGINT SIGTERM SIGPIPE")
    );
}

#[test]
fn autorestart_unexpected_with_zero_listed_does_not_force_a_restart_on_zero() {
    let h = Host_::new();
    let c = h.convert("[supervisord]\n[program:w]\ncommand=/bin/w\n");
    assert_eq!(
        c.value("w.service", "RestartForceExitStatus").as_deref(),
        Some("SIGHUP SIGINT SIGTERM SIGPIPE")
    );
    assert_eq!(c.value("w.service", "SuccessExitStatus"), None);
}

#[test]
fn autorestart_true_and_false() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[program:a]\ncommand=/bin/a\nautorestart=true\n[program:b]\ncommand=/bin/b\nautorestart=false\nstartretries=0\n",
    );
    assert_eq!(c.value("a.service", "Restart").as_deref(), Some("always"));
    assert_eq!(c.value("b.service", "Restart"), None);
    assert_eq!(c.value("b.service", "StartLimitBurst"), None);
    assert_eq!(
        c.value("a.service", "StartLimitBurst").as_deref(),
        Some("4")
    );
}

#[test]
fn numprocs_is_a_template_with_instances_their_drop_ins_and_a_target() {
    let h = Host_::new();
    h.file("/tmp/.keep", "");
    let c = h.convert(
        "[supervisord]\n[program:q]\ncommand=/bin/q --id %(process_num)d\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)02d\nstdout_logfile=/tmp/q-%(process_num)02d.log\nenvironment=SLOT=\"%(process_num)d\",MODE=\"x\"\n",
    );
    assert_eq!(
        c.item("q").units,
        vec!["q@.service", "q@0.service", "q@1.service", "q.target"]
    );
    // What is the same stays in the template; what differs is in each drop-in.
    assert_eq!(c.values("q@.service", "Environment"), vec!["\"MODE=x\""]);
    // A command that differs only by the plain process number is one command with %i.
    assert_eq!(
        c.value("q@.service", "ExecStart").as_deref(),
        Some("/bin/q --id %i")
    );
    assert_eq!(c.value("q@.service", "PartOf").as_deref(), Some("q.target"));
    let d1 = "q@1.service.d/instance.conf";
    assert_eq!(c.value(d1, "ExecStart"), None);
    assert_eq!(c.values(d1, "Environment"), vec!["\"SLOT=1\""]);
    assert_eq!(
        c.value(d1, "StandardOutput").as_deref(),
        Some("append:/tmp/q-01.log")
    );
    assert_eq!(
        c.value("q.target", "Wants").as_deref(),
        Some("q@0.service q@1.service")
    );
    assert!(c.codes("q").contains(&"supervisord-numprocs"));
}

#[test]
fn a_formatted_process_number_is_in_each_instances_command() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[program:q]\ncommand=/bin/q --slot %(process_num)02d --port 80%(process_num)d0\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)d\n",
    );
    assert_eq!(c.value("q@.service", "ExecStart"), None);
    assert_eq!(
        c.values("q@1.service.d/instance.conf", "ExecStart"),
        vec!["/bin/q --slot 01 --port 8010"]
    );
}

#[test]
fn a_digit_that_only_looks_like_the_process_number_stays() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[program:w]\ncommand=/bin/w --name=w%(process_num)d@web-01\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)d\n",
    );
    assert_eq!(
        c.value("w@.service", "ExecStart").as_deref(),
        Some("/bin/w --name=w%i@web-01")
    );
}

#[test]
fn a_group_is_a_target_wanting_its_members_which_are_part_of_it() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[program:a]\ncommand=/bin/a\n[program:b]\ncommand=/bin/b %(process_num)d\nnumprocs=2\nprocess_name=b%(process_num)d\n[group:site]\nprograms=a,b\n",
    );
    assert_eq!(c.item("site").units, vec!["site.target"]);
    assert_eq!(
        c.value("site.target", "Wants").as_deref(),
        Some("a.service b.target")
    );
    assert_eq!(
        c.value("a.service", "PartOf").as_deref(),
        Some("site.target")
    );
    assert_eq!(
        c.value("b.target", "PartOf").as_deref(),
        Some("site.target")
    );
    assert_eq!(
        c.value("site.target", "WantedBy").as_deref(),
        Some("multi-user.target")
    );
}

#[test]
fn a_group_with_a_member_not_started_at_boot_is_not_wanted_at_boot() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[program:a]\ncommand=/bin/a\nautostart=false\n[program:b]\ncommand=/bin/b\n[group:g]\nprograms=a,b\n",
    );
    assert_eq!(c.value("g.target", "WantedBy"), None);
    assert!(c.codes("a").contains(&"supervisord-autostart-off"));
}

#[test]
fn the_supervisord_user_is_the_user_of_programs_that_name_none() {
    let h = Host_::new();
    let c = h.convert("[supervisord]\nuser=deploy\n[program:a]\ncommand=/bin/a\n");
    assert_eq!(c.value("a.service", "User").as_deref(), Some("deploy"));
}

#[test]
fn a_non_root_supervisord_could_not_switch_to_another_user() {
    let h = Host_::new();
    let c = h.convert("[supervisord]\nuser=deploy\n[program:a]\ncommand=/bin/a\nuser=web\n");
    assert_eq!(c.value("a.service", "User").as_deref(), Some("web"));
    assert!(c.codes("a").contains(&"supervisord-user-switch"));
}

#[test]
fn root_is_written_when_named_and_nobody_is_reported() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[program:a]\ncommand=/bin/a\nuser=root\n[program:b]\ncommand=/bin/b\nuser=nobody\n",
    );
    assert_eq!(c.value("a.service", "User").as_deref(), Some("root"));
    assert_eq!(c.value("b.service", "User").as_deref(), Some("nobody"));
    assert!(c.codes("b").contains(&"supervisord-user-nobody"));
}

#[test]
fn supervisord_directory_and_umask_apply_only_when_it_daemonizes() {
    let conf = "[supervisord]\ndirectory=/srv\numask=027\n[program:a]\ncommand=/bin/a\n";
    let daemon = Host_::new();
    daemon.file("/srv/.keep", "");
    let c = daemon.convert(conf);
    assert_eq!(
        c.value("a.service", "WorkingDirectory").as_deref(),
        Some("/srv")
    );
    assert_eq!(c.value("a.service", "UMask").as_deref(), Some("0027"));
    assert!(c.codes("a").contains(&"supervisord-daemonize"));

    // Debian's unit runs supervisord in the foreground: programs start in / with umask 022.
    let debian = Host_::new();
    debian.file("/srv/.keep", "");
    debian.file(
        "/lib/systemd/system/supervisor.service",
        "[Service]\nExecStart=/usr/bin/supervisord -n -c /etc/supervisor/supervisord.conf\n",
    );
    let c = debian.convert(conf);
    assert_eq!(c.value("a.service", "WorkingDirectory"), None);
    assert_eq!(c.value("a.service", "UMask"), None);
    let f = c
        .item("a")
        .findings
        .iter()
        .find(|f| f.code.as_str() == "supervisord-daemonize")
        .unwrap();
    assert!(f.message.contains("-n"), "{}", f.message);
}

#[test]
fn minfds_only_raises_the_open_file_limit() {
    let h = Host_::new();
    let low = h.convert("[supervisord]\nminfds=512\n[program:a]\ncommand=/bin/a\n");
    assert_eq!(low.value("a.service", "LimitNOFILE"), None);
    let high = h.convert("[supervisord]\nminfds=65536\n[program:a]\ncommand=/bin/a\n");
    assert_eq!(
        high.value("a.service", "LimitNOFILE").as_deref(),
        Some("65536:524288")
    );
    assert!(high.codes("a").contains(&"supervisord-limits"));
}

#[test]
fn log_paths_are_appended_auto_is_the_journal_none_is_null() {
    let h = Host_::new();
    h.file("/var/log/app/.keep", "");
    let c = h.convert(
        "[supervisord]\n[program:a]\ncommand=/bin/a\nstdout_logfile=/var/log/app/a.log\nstderr_logfile=NONE\n[program:b]\ncommand=/bin/b\nstdout_logfile=/var/log/app/b.log\nredirect_stderr=true\n[program:c]\ncommand=/bin/c\nstdout_logfile=/var/log/app/c.log\n",
    );
    assert_eq!(
        c.value("a.service", "StandardOutput").as_deref(),
        Some("append:/var/log/app/a.log")
    );
    assert_eq!(
        c.value("a.service", "StandardError").as_deref(),
        Some("null")
    );
    // redirect_stderr: standard error follows standard output.
    assert_eq!(c.value("b.service", "StandardError"), None);
    // stderr AUTO while stdout goes to a file: the journal, said explicitly.
    assert_eq!(
        c.value("c.service", "StandardError").as_deref(),
        Some("journal")
    );
    assert!(c.codes("c").contains(&"supervisord-log-rotation"));
    assert!(c.codes("c").contains(&"supervisord-log-journal"));
}

#[test]
fn stop_settings() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[program:a]\ncommand=/bin/a\nstopsignal=QUIT\nstopwaitsecs=600\nstopasgroup=true\n[program:b]\ncommand=/bin/b\nkillasgroup=true\n[program:c]\ncommand=/bin/c\n",
    );
    assert_eq!(
        c.value("a.service", "KillSignal").as_deref(),
        Some("SIGQUIT")
    );
    assert_eq!(
        c.value("a.service", "TimeoutStopSec").as_deref(),
        Some("10min")
    );
    assert_eq!(
        c.value("a.service", "KillMode").as_deref(),
        Some("control-group")
    );
    assert_eq!(c.value("b.service", "KillMode").as_deref(), Some("mixed"));
    assert!(!c.codes("b").contains(&"supervisord-stop-children"));
    assert_eq!(c.value("c.service", "KillMode").as_deref(), Some("mixed"));
    assert!(c.codes("c").contains(&"supervisord-stop-children"));
}

#[test]
fn lower_priorities_start_first() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[program:db]\ncommand=/bin/db\npriority=1\n[program:app]\ncommand=/bin/app\npriority=50\n[program:web]\ncommand=/bin/web\n",
    );
    assert_eq!(c.value("db.service", "After"), None);
    assert_eq!(
        c.value("app.service", "After").as_deref(),
        Some("db.service")
    );
    assert_eq!(
        c.value("web.service", "After").as_deref(),
        Some("app.service")
    );
}

#[test]
fn secrets_go_to_the_env_file_and_env_file_values_are_inherited() {
    let h = Host_::new();
    let c = h.convert_with(
        "[supervisord]\n[program:a]\ncommand=/bin/a --db %(ENV_DB)s\nenvironment=API_TOKEN=\"t0k\"\n",
        front::supervisord::Options {
            env: vec![("DB".to_string(), "pg".to_string())],
            ..Default::default()
        },
    );
    assert_eq!(c.values("a.service", "Environment"), vec!["\"DB=pg\""]);
    assert!(!c.unit("a.service").contains("t0k"));
    assert!(c.files["env/a.service.env"].contains("API_TOKEN='t0k'"));
    let codes = c.codes("a");
    assert!(codes.contains(&"supervisord-env-baked"));
    assert!(codes.contains(&"secret-env-file"));
}

#[test]
fn an_fcgi_program_gets_its_socket_on_standard_input() {
    let h = Host_::new();
    h.file("/run/php/.keep", "");
    let c = h.convert(
        "[supervisord]\n[fcgi-program:php]\nsocket=unix:///run/php/php.sock\nsocket_owner=web:web\nsocket_mode=0660\nsocket_backlog=128\ncommand=/usr/bin/php-cgi\n[fcgi-program:status]\nsocket=tcp://localhost:9002\ncommand=/bin/status\n",
    );
    assert_eq!(c.item("php").units, vec!["php.service", "php.socket"]);
    assert_eq!(
        c.value("php.socket", "ListenStream").as_deref(),
        Some("/run/php/php.sock")
    );
    assert_eq!(c.value("php.socket", "SocketUser").as_deref(), Some("web"));
    assert_eq!(c.value("php.socket", "SocketGroup").as_deref(), Some("web"));
    assert_eq!(c.value("php.socket", "SocketMode").as_deref(), Some("0660"));
    assert_eq!(c.value("php.socket", "Backlog").as_deref(), Some("128"));
    assert_eq!(
        c.value("php.service", "Sockets").as_deref(),
        Some("php.socket")
    );
    assert_eq!(
        c.value("php.service", "StandardInput").as_deref(),
        Some("socket")
    );
    // Standard output must not inherit the socket.
    assert_eq!(
        c.value("php.service", "StandardOutput").as_deref(),
        Some("journal")
    );
    assert_eq!(
        c.value("status.socket", "ListenStream").as_deref(),
        Some("127.0.0.1:9002")
    );
}

#[test]
fn crashmail_becomes_a_mail_after_each_unexpected_exit_of_every_program() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[eventlistener:mailer]\ncommand=crashmail -p web -m ops@example.com -o [web-01]\nevents=PROCESS_STATE_EXITED\n[program:web]\ncommand=/bin/web\nexitcodes=0,2\nstartsecs=3\n[program:other]\ncommand=/bin/other\n",
    );
    // No unit of its own: the mail is sent by the programs' ExecStopPost=.
    assert!(c.item("mailer").units.is_empty());
    assert!(
        c.codes("mailer").contains(&"supervisord-event-listener"),
        "-p is reported as ignored"
    );
    let web = c.value("web.service", "ExecStopPost").unwrap();
    assert!(web.starts_with("-+/bin/sh -c "), "{web}");
    // The unit's name, startsecs in microseconds, exitcodes, then the mail command.
    assert!(web.contains(" sh %n 3000000 \"0 2\" /bin/sh -c "), "{web}");
    assert!(web.ends_with(" sh ops@example.com [web-01]"), "{web}");
    assert_eq!(c.value("web.service", "OnFailure"), None);
    // crashmail 2.0 ignores -p: every program gets the hook.
    assert!(c.value("other.service", "ExecStopPost").is_some());
}

#[test]
fn fatalmailbatch_is_a_handler_started_by_on_failure_of_every_program() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[eventlistener:fatal]\ncommand=fatalmailbatch --toEmail=ops@example.com --subject=gave-up\nevents=PROCESS_STATE,TICK_60\n[program:web]\ncommand=/bin/web\n",
    );
    assert_eq!(c.item("fatal").units, vec!["fatal@.service"]);
    assert_eq!(
        c.values("fatal@.service", "Environment")[0],
        "\"TO=ops@example.com\""
    );
    assert!(
        c.value("fatal@.service", "ExecStart")
            .unwrap()
            .contains("MONITOR_UNIT")
    );
    assert_eq!(
        c.value("web.service", "OnFailure").as_deref(),
        Some("fatal@%n.service")
    );
    assert_eq!(c.value("web.service", "ExecStopPost"), None);
}

#[test]
fn memmon_becomes_memory_max_with_a_restart() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[eventlistener:memmon]\ncommand=memmon -p web=200MB\nevents=TICK_60\n[program:web]\ncommand=/bin/web\nautorestart=false\n",
    );
    assert_eq!(
        c.value("web.service", "MemoryMax").as_deref(),
        Some("209715200")
    );
    assert_eq!(
        c.value("web.service", "Restart").as_deref(),
        Some("on-failure")
    );
    assert_eq!(c.item("memmon").status, Status::Skipped);
}

#[test]
fn control_sections_are_notes_and_listeners_are_dropped() {
    let h = Host_::new();
    let c = h.convert(
        "[unix_http_server]\nfile=/run/s.sock\n[supervisorctl]\nserverurl=unix:///run/s.sock\n[supervisord]\n[eventlistener:crash]\ncommand=/bin/crashmail -a\nevents=PROCESS_STATE_EXITED\n[program:a]\ncommand=/bin/a\n",
    );
    assert_eq!(c.item("supervisorctl").status, Status::Skipped);
    assert_eq!(
        c.codes("unix_http_server"),
        vec!["supervisord-control-interface"]
    );
    assert_eq!(c.item("crash").status, Status::Skipped);
    assert!(c.codes("crash").contains(&"supervisord-event-listener"));
}

#[test]
fn a_broken_section_is_an_error_item_and_the_others_convert() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[program:bad]\ncommand=/bin/a\nstartsecs=soon\n[program:good]\ncommand=/bin/b\n",
    );
    assert_eq!(c.item("bad").status, Status::Error);
    assert_eq!(c.item("good").units, vec!["good.service"]);
}

#[test]
fn auto_detection_knows_supervisord_files_by_name_and_content() {
    use systemdify::front::detect;
    let s = Some(Format::Supervisord);
    assert_eq!(detect(Some("/etc/supervisord.conf"), ""), s);
    assert_eq!(detect(Some("/etc/supervisor/conf.d/web.conf"), ""), s);
    assert_eq!(detect(Some("/etc/supervisord.d/php.ini"), ""), s);
    assert_eq!(
        detect(
            Some("/srv/app/workers.conf"),
            "[program:w]\ncommand=/bin/w\n"
        ),
        s
    );
    assert_eq!(detect(Some("/srv/app/php.conf"), "[fcgi-program:p]\n"), s);
    assert_eq!(detect(Some("/srv/app/other.conf"), "key=value\n"), None);
}

#[test]
fn scan_finds_the_main_configuration_and_reads_its_includes() {
    let h = Host_::new();
    h.file(
        "/etc/supervisor/supervisord.conf",
        "[supervisord]\n[include]\nfiles=conf.d/*.conf\n",
    );
    h.file(
        "/etc/supervisor/conf.d/w.conf",
        "[program:w]\ncommand=/bin/w\n",
    );
    let found = systemdify::discover::discover(&Host::at(h.dir.path()));
    assert!(found.contains(&"/etc/supervisor/supervisord.conf".to_string()));
    // Included files are read through the main one, never converted twice.
    assert!(!found.iter().any(|p| p.contains("conf.d/w.conf")));
    let out = tempfile::tempdir().unwrap();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        [
            "systemdify",
            "scan",
            "--root",
            h.dir.path().to_str().unwrap(),
            "-o",
            out.path().to_str().unwrap(),
        ],
        &mut systemdify::cli::Streams {
            stdin: &mut std::io::empty(),
            stdout: &mut stdout,
            stderr: &mut stderr,
        },
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
    assert!(out.path().join("w.service").is_file());
    // apply.sh enables what supervisord started at boot, and only that.
    let apply = std::fs::read_to_string(out.path().join("apply.sh")).unwrap();
    assert!(apply.contains("systemctl enable 'w.service'"), "{apply}");
    assert!(
        !apply.contains("systemctl enable 'by-hand.service'"),
        "{apply}"
    );
}

#[test]
fn a_bad_env_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("env");
    std::fs::write(&env, "GOOD=1\nthis is not an assignment\n").unwrap();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        [
            "systemdify",
            "convert",
            "--env-file",
            env.to_str().unwrap(),
            "/nonexistent/supervisord.conf",
        ],
        &mut systemdify::cli::Streams {
            stdin: &mut std::io::empty(),
            stdout: &mut stdout,
            stderr: &mut stderr,
        },
    );
    assert_eq!(code, 2);
    assert!(String::from_utf8_lossy(&stderr).contains(":2: not a NAME=VALUE line"));
}

#[test]
fn a_group_named_like_its_program_keeps_both_units_and_their_links() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[program:web]\ncommand=/bin/web\n[program:worker]\ncommand=/bin/worker\n[group:web]\nprograms=web,worker\n",
    );
    let group = &c.item("web").units;
    let target = c
        .items
        .iter()
        .flat_map(|i| &i.units)
        .find(|u| u.ends_with(".target"))
        .unwrap()
        .clone();
    let program = c
        .items
        .iter()
        .find(|i| {
            i.units
                .iter()
                .any(|u| u.ends_with(".service") && u.starts_with("web"))
        })
        .unwrap()
        .units[0]
        .clone();
    assert!(!group.is_empty());
    // Whichever of the two was renamed, each points at the other.
    assert_eq!(
        c.value(&program, "PartOf").as_deref(),
        Some(target.as_str())
    );
    assert_eq!(
        c.value(&target, "Wants"),
        Some(format!("{program} worker.service"))
    );
}

#[test]
fn log_to_journal_sends_named_log_files_to_the_journal_too() {
    let h = Host_::new();
    h.file("/var/log/app/.keep", "");
    let conf = "[supervisord]\n[program:a]\ncommand=/bin/a\nstdout_logfile=/var/log/app/a.log\nstderr_logfile=/var/log/app/a.err\n";
    let c = h.convert_opts(conf, front::supervisord::Options::default(), true);
    assert_eq!(c.value("a.service", "StandardOutput"), None);
    assert_eq!(c.value("a.service", "StandardError"), None);
    assert!(c.codes("a").contains(&"log-to-journal"));
    let kept = h.convert(conf);
    assert_eq!(
        kept.value("a.service", "StandardError").as_deref(),
        Some("append:/var/log/app/a.err")
    );
}

#[test]
fn a_value_spanning_lines_never_becomes_another_directive() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[program:a]\ncommand=/bin/a \"one\n  ExecStartPre=/bin/evil\"\nenvironment=X=\"1\n  ExecStartPost=/bin/evil\"\nprocess_name=a\n",
    );
    for (name, text) in &c.files {
        for line in text.lines() {
            assert!(
                !line.starts_with("ExecStartPre=") && !line.starts_with("ExecStartPost="),
                "{name}: {line}"
            );
        }
    }
    let item = c.item("a");
    assert!(
        item.status == Status::Error || !item.units.is_empty(),
        "{:?}",
        item.status
    );
}

#[test]
fn placeholders_in_a_file_that_parses_convert_with_a_finding() {
    let h = Host_::new();
    let c = h.convert("[supervisord]\n[program:a]\ncommand=/bin/a --port {{ port }}\n");
    assert_eq!(c.item("a").units, vec!["a.service"]);
    assert!(c.codes("a").contains(&"template-placeholder"));
}

#[test]
fn a_template_that_does_not_parse_is_refused() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n{% for w in workers %}\n[program:{{ w }}]\ncommand=/bin/a\n{% endfor %}\n",
    );
    assert!(c.items.iter().all(|i| i.status == Status::Error));
    assert!(c.items.iter().any(|i| {
        i.findings
            .iter()
            .any(|f| f.code.as_str() == "template-input")
    }));
}

#[test]
fn httpok_becomes_a_health_check_timer_that_restarts_the_program() {
    let h = Host_::new();
    h.program("/usr/bin/curl");
    let c = h.convert(
        "[supervisord]\n[eventlistener:httpok]\ncommand=httpok -p web -t 5 -c 204 http://127.0.0.1:8080/health\nevents=TICK_60\n[program:web]\ncommand=/bin/web\n",
    );
    assert_eq!(
        c.item("web").units,
        vec![
            "web.service",
            "web-healthcheck.service",
            "web-healthcheck.timer"
        ]
    );
    assert_eq!(
        c.value("web-healthcheck.timer", "OnUnitActiveSec")
            .as_deref(),
        Some("1min")
    );
    let check = "web-healthcheck.service";
    assert!(
        c.values(check, "Environment")
            .contains(&"\"URL=http://127.0.0.1:8080/health\"".to_string())
    );
    assert!(
        c.values(check, "Environment")
            .contains(&"\"STATUS=204\"".to_string())
    );
    assert!(
        c.values(check, "Environment")
            .contains(&"\"TIMEOUT=5\"".to_string())
    );
    let exec = c.value(check, "ExecStart").unwrap();
    assert!(
        exec.contains("systemctl restart") && exec.ends_with(" web.service"),
        "{exec}"
    );
    assert!(!c.codes("httpok").contains(&"command-not-found"));
}

#[test]
fn httpok_naming_one_process_of_numprocs_checks_that_instance_only() {
    let h = Host_::new();
    let c = h.convert(
        "[supervisord]\n[eventlistener:httpok]\ncommand=httpok -p web:web_1 http://127.0.0.1:8081/health\nevents=TICK_60\n[program:web]\ncommand=/bin/web --port 808%(process_num)d\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)d\n[eventlistener:memmon]\ncommand=memmon -p web_0=200MB\nevents=TICK_60\n",
    );
    let units = &c.item("web").units;
    assert!(
        units.contains(&"web-1-healthcheck.timer".to_string()),
        "{units:?}"
    );
    assert!(!units.iter().any(|u| u.starts_with("web-0-")), "{units:?}");
    let exec = c.value("web-1-healthcheck.service", "ExecStart").unwrap();
    assert!(exec.ends_with(" web@1.service"), "{exec}");
    // memmon naming one process is not spread over every instance: reported instead.
    assert_eq!(c.value("web@.service", "MemoryMax"), None);
    assert!(
        c.item("web")
            .findings
            .iter()
            .any(|f| f.message.contains("names processes of this program (0)")),
        "{:?}",
        c.item("web").findings
    );
}
