//! Details of the cron and anacron frontends: whose crontab standard input is, how anacron
//! reads quotes, line endings, every missing executable, placeholders, and `explain`.
//!
//! The Debian behaviours asserted here were read from the sources of cron 3.0pl1-162 and
//! anacron 2.3-36 (cronie's from `cronie-crond/cronie`) and run with the Debian binaries on a
//! private copy of `/etc`, `/var/spool`, `/run` and `/dev` (`unshare -m`): a CR stays in the
//! command (`touch out\r` made `out\r`); a CR-only line, `MAILTO=`, a broken line and a last
//! line without newline each made cron log "… this crontab file will be ignored" and run
//! nothing of that file, while `MAILTO=""`, a CR after an assignment and a last comment without
//! newline were harmless; `17-17/4` fired at :17 only. anacron: `MAILTO=""` reached the job as
//! `""`, `printf 'a\tb'` printed `atb`, `one\` + newline + `two` ran as `one two`.

use std::os::unix::fs::PermissionsExt;

use systemdify::finding::{Code, Finding, Level};
use systemdify::front::{self, cron};
use systemdify::host::Host;
use systemdify::ir::Format;
use systemdify::pipeline::{self, Conversion};

/// A host tree with `/bin/sh`, a `/etc/passwd` listing root and alice, and whatever a test adds.
struct Tree(tempfile::TempDir);

impl Tree {
    fn new() -> Self {
        let tree = Tree(tempfile::tempdir().unwrap());
        tree.file(
            "/etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n",
        );
        tree.exe("/bin/sh");
        tree
    }
    fn local(&self, host_path: &str) -> std::path::PathBuf {
        self.0.path().join(host_path.trim_start_matches('/'))
    }
    fn file(&self, host_path: &str, text: &str) -> &Self {
        let p = self.local(host_path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }
    fn exe(&self, host_path: &str) -> &Self {
        self.file(host_path, "#!/bin/sh\n");
        std::fs::set_permissions(
            self.local(host_path),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        self
    }
    fn host(&self) -> Host {
        Host::at(self.0.path())
    }
}

/// Converts one input (`None`: standard input) read as `format`.
fn convert(
    tree: &Tree,
    host_path: Option<&str>,
    text: &str,
    format: Format,
    cron: cron::Options,
) -> Conversion {
    let input = front::Input {
        display: host_path.unwrap_or("-").to_string(),
        host_path: host_path.map(str::to_string),
        data: Ok(text.as_bytes().to_vec()),
    };
    let options = pipeline::Options {
        front: front::Options {
            from: front::From::Only(format),
            cron,
            ..front::Options::default()
        },
        ..pipeline::Options::default()
    };
    pipeline::convert(&[input], &tree.host(), &options)
}

fn unit<'a>(c: &'a Conversion, name: &str) -> &'a str {
    c.files
        .iter()
        .find(|f| f.path == name)
        .map(|f| f.contents.as_str())
        .unwrap_or_else(|| {
            panic!(
                "no unit {name}; have {:?}",
                c.files.iter().map(|f| &f.path).collect::<Vec<_>>()
            )
        })
}

/// Findings with `code` of the item that starts at `line`.
fn findings_at(c: &Conversion, line: u32, code: Code) -> Vec<Finding> {
    c.report
        .items
        .iter()
        .filter(|i| i.source.line == Some(line))
        .flat_map(|i| i.findings.iter())
        .filter(|f| f.code == code)
        .cloned()
        .collect()
}

fn all_findings(c: &Conversion, code: Code) -> Vec<Finding> {
    c.report
        .items
        .iter()
        .flat_map(|i| i.findings.iter())
        .filter(|f| f.code == code)
        .cloned()
        .collect()
}

fn stdin_owner(name: &str, uid: u32) -> cron::Options {
    cron::Options {
        invoker: Some(cron::Invoker {
            uid,
            name: Some(name.to_string()),
        }),
        ..cron::Options::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Standard input is the crontab of the user running systemdify
// ---------------------------------------------------------------------------------------------

#[test]
fn a_crontab_on_standard_input_belongs_to_the_user_running_systemdify() {
    let tree = Tree::new();
    tree.exe("/usr/bin/backup");
    let c = convert(
        &tree,
        None,
        "0 1 * * * /usr/bin/backup\n",
        Format::Cron,
        stdin_owner("alice", 1000),
    );
    let service = unit(&c, "cron-alice-backup.service");
    assert!(service.contains("User=alice\n"), "{service}");
    let note = findings_at(&c, 1, Code::CronStdinUser);
    assert_eq!(note.len(), 1, "{:?}", c.report.items);
    assert_eq!(note[0].level, Level::Note);
    assert!(
        note[0].message.contains("alice") && note[0].message.contains("uid 1000"),
        "{}",
        note[0].message
    );
    assert!(note[0].help.contains("--user"), "{}", note[0].help);
    assert!(findings_at(&c, 1, Code::CronNoUser).is_empty());
}

#[test]
fn mail_from_a_standard_input_crontab_goes_to_its_owner() {
    let tree = Tree::new();
    tree.exe("/usr/bin/backup").exe("/usr/sbin/sendmail");
    let c = convert(
        &tree,
        None,
        "0 1 * * * /usr/bin/backup\n",
        Format::Cron,
        stdin_owner("alice", 1000),
    );
    let mail = findings_at(&c, 1, Code::CronMailto);
    assert_eq!(mail.len(), 1);
    assert!(mail[0].message.contains("to alice"), "{}", mail[0].message);
}

#[test]
fn user_option_wins_over_the_user_running_systemdify_and_needs_no_note() {
    let tree = Tree::new();
    tree.exe("/usr/bin/backup");
    let c = convert(
        &tree,
        None,
        "0 1 * * * /usr/bin/backup\n",
        Format::Cron,
        cron::Options {
            table: cron::Table::User(Some("bob".to_string())),
            ..stdin_owner("alice", 1000)
        },
    );
    assert!(unit(&c, "cron-bob-backup.service").contains("User=bob\n"));
    assert!(findings_at(&c, 1, Code::CronStdinUser).is_empty());
}

#[test]
fn a_user_without_a_name_runs_the_job_by_uid() {
    let tree = Tree::new();
    tree.exe("/usr/bin/backup");
    let c = convert(
        &tree,
        None,
        "0 1 * * * /usr/bin/backup\n",
        Format::Cron,
        cron::Options {
            invoker: Some(cron::Invoker {
                uid: 4242,
                name: None,
            }),
            ..cron::Options::default()
        },
    );
    let service = unit(&c, "cron-4242-backup.service");
    assert!(service.contains("User=4242\n"), "{service}");
    assert!(
        findings_at(&c, 1, Code::CronStdinUser)[0]
            .message
            .contains("uid 4242")
    );
}

/// The real thing: `convert -` without `--user` on this machine names the user `id -un` names.
#[test]
fn the_command_line_reads_the_running_user_from_the_process() {
    let id = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let me = String::from_utf8(id.stdout).unwrap().trim().to_string();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        ["systemdify", "convert", "--from", "cron", "-"],
        &mut systemdify::cli::Streams {
            stdin: &mut "0 1 * * * /bin/true\n".as_bytes(),
            stdout: &mut out,
            stderr: &mut err,
        },
    );
    let out = String::from_utf8(out).unwrap();
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    assert!(out.contains(&format!("User={me}\n")), "{out}");
}

// ---------------------------------------------------------------------------------------------
// anacron keeps quotes
// ---------------------------------------------------------------------------------------------

#[test]
fn anacron_mailto_with_quotes_is_a_two_character_address() {
    let tree = Tree::new();
    tree.exe("/usr/sbin/sendmail");
    let c = convert(
        &tree,
        Some("/etc/anacrontab"),
        "MAILTO=\"\"\n1 5 daily /bin/true\n",
        Format::Anacron,
        cron::Options::default(),
    );
    let quotes = findings_at(&c, 2, Code::AnacronQuotes);
    assert_eq!(quotes.len(), 1, "{:?}", c.report.items);
    assert!(
        quotes[0].message.contains("`\"\"`") && quotes[0].message.contains("anacron"),
        "{}",
        quotes[0].message
    );
    assert!(quotes[0].help.contains("`MAILTO=`"), "{}", quotes[0].help);
    let mail = findings_at(&c, 2, Code::CronMailto);
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].message.starts_with("anacron mailed"),
        "{}",
        mail[0].message
    );
    assert!(
        !mail[0].help.contains("MAILTO=\"\""),
        "anacron has no empty quoted value: {}",
        mail[0].help
    );
}

#[test]
fn anacron_keeps_quotes_in_any_value_and_says_so() {
    let tree = Tree::new();
    let c = convert(
        &tree,
        Some("/etc/anacrontab"),
        "MAILTO=\nPATH='/usr/bin:/bin'\n1 5 daily /bin/true\n",
        Format::Anacron,
        cron::Options::default(),
    );
    let service = unit(&c, "anacron-daily.service");
    assert!(service.contains("PATH='/usr/bin:/bin'"), "{service}");
    let quotes = findings_at(&c, 3, Code::AnacronQuotes);
    assert_eq!(quotes.len(), 1);
    assert!(quotes[0].message.contains("PATH"), "{}", quotes[0].message);
    assert!(findings_at(&c, 3, Code::CronMailto).is_empty());
}

#[test]
fn anacron_findings_name_anacron() {
    let tree = Tree::new();
    tree.exe("/usr/sbin/sendmail");
    let c = convert(
        &tree,
        Some("/etc/anacrontab"),
        "1 5 daily /bin/true\n",
        Format::Anacron,
        cron::Options::default(),
    );
    for item in &c.report.items {
        for f in &item.findings {
            assert!(
                !f.message.starts_with("cron ") && !f.message.contains(" cron "),
                "{}: {}",
                f.code,
                f.message
            );
        }
    }
    let mail = findings_at(&c, 1, Code::CronMailto);
    assert!(mail[0].message.contains("to root"), "{}", mail[0].message);
}

// ---------------------------------------------------------------------------------------------
// explain
// ---------------------------------------------------------------------------------------------

fn explain_options(count: usize) -> systemdify::explain::Options {
    systemdify::explain::Options {
        count,
        zone: jiff::tz::TimeZone::UTC,
        base: "2025-01-01T00:00:30Z".parse().unwrap(),
        dialect: cron::schedule::Dialect::Debian,
    }
}

fn explain(schedule: &str) -> Result<String, (u32, String)> {
    systemdify::explain::explain(schedule, &explain_options(3))
}

#[test]
fn explain_takes_exactly_five_fields() {
    let (column, message) = explain("0 0 * * * *").unwrap_err();
    assert_eq!(column, 11, "{message}");
    assert!(message.contains("five fields"), "{message}");
    let (column, message) = explain("0 0 * *").unwrap_err();
    assert!(
        message.contains("five fields") && message.contains("4"),
        "{message}"
    );
    assert!(column <= 8, "column {column} is past the schedule");
}

#[test]
fn explain_takes_one_at_word_alone() {
    let (column, message) = explain("@daily 5").unwrap_err();
    assert_eq!(column, 8, "{message}");
    assert!(explain("@daily").is_ok());
}

#[test]
fn explain_errors_point_into_the_schedule_as_typed() {
    for schedule in [
        "0 0 * * foo",
        "  0 0 * * foo",
        "0 0 * *",
        "0 0",
        "0 0 * * 5-1",
        "-0 0 * * *",
        "@Daily",
        "0,, * * * *",
    ] {
        let (column, message) = explain(schedule).unwrap_err();
        assert!(
            column >= 1 && column as usize <= schedule.chars().count() + 1,
            "`{schedule}`: column {column} is outside the schedule ({message})"
        );
        for internal in ["root", "`:`", "command"] {
            assert!(
                !message.contains(internal),
                "`{schedule}`: the message names text the user never typed: {message}"
            );
        }
    }
    assert_eq!(explain("  0 0 * * foo").unwrap_err().0, 11);
    assert_eq!(explain("0 0 * * foo").unwrap_err().0, 9);
}

#[test]
fn explain_says_when_the_schedule_is_empty() {
    for schedule in ["", "   "] {
        let (_, message) = explain(schedule).unwrap_err();
        assert!(message.contains("empty"), "{message}");
    }
}

#[test]
fn explain_count_zero_lists_no_times() {
    let text = systemdify::explain::explain("0 4 * * *", &explain_options(0)).unwrap();
    assert_eq!(text, "OnCalendar=*-*-* 04:00:00\n");
    let never = systemdify::explain::explain("0 0 30 2 *", &explain_options(0)).unwrap();
    assert!(!never.contains("(never fires)"), "{never}");
    let never = systemdify::explain::explain("0 0 30 2 *", &explain_options(2)).unwrap();
    assert!(never.contains("(never fires)"), "{never}");
}

#[test]
fn explain_notes_when_a_star_turns_or_into_and() {
    let text = explain("0 0 */2 * 1").unwrap();
    assert!(text.contains("[cron-dom-dow-and]"), "{text}");
    assert!(text.contains("Mon 2025-01-13 00:00:00"), "{text}");
    // Neither day field starts with `*` but one is the whole month: no note, one line.
    assert!(
        !explain("0 0 1-31 * 1")
            .unwrap()
            .contains("cron-dom-dow-and")
    );
    // One field is `*` itself: AND is what everyone reads.
    assert!(!explain("0 0 * * 1").unwrap().contains("cron-dom-dow-and"));
    assert!(
        !explain("0 0 1,15 * *")
            .unwrap()
            .contains("cron-dom-dow-and")
    );
    assert!(
        explain("0 0 1,15 * */2")
            .unwrap()
            .contains("cron-dom-dow-and")
    );
}

#[test]
fn the_star_rule_is_noted_in_converted_crontabs_too() {
    let tree = Tree::new();
    let c = convert(
        &tree,
        Some("/etc/cron.d/x"),
        "0 0 */2 * 1 root /bin/true\n",
        Format::Cron,
        cron::Options::default(),
    );
    let note = findings_at(&c, 1, Code::CronDomDowAnd);
    assert_eq!(note.len(), 1);
    assert!(note[0].message.contains("`*/2`"), "{}", note[0].message);
}

// ---------------------------------------------------------------------------------------------
// Every missing executable
// ---------------------------------------------------------------------------------------------

fn not_found(c: &Conversion, line: u32) -> Vec<String> {
    findings_at(c, line, Code::CommandNotFound)
        .into_iter()
        .map(|f| f.message.to_string())
        .collect()
}

#[test]
fn every_missing_executable_of_a_job_is_reported() {
    let tree = Tree::new();
    tree.exe("/usr/bin/present").exe("/usr/bin/nice");
    let c = convert(
        &tree,
        Some("/etc/cron.d/x"),
        "0 1 * * * root /usr/bin/present && /usr/local/bin/one | nice -n 5 /opt/two --x; LC_ALL=C three >/dev/null 2>&1 || present\n",
        Format::Cron,
        cron::Options::default(),
    );
    let messages = not_found(&c, 1);
    for missing in ["`/usr/local/bin/one`", "`/opt/two`", "`three`"] {
        assert_eq!(
            messages.iter().filter(|m| m.contains(missing)).count(),
            1,
            "{missing} in {messages:?}"
        );
    }
    assert_eq!(messages.len(), 3, "{messages:?}");
}

#[test]
fn bare_names_are_looked_up_on_the_crontabs_path() {
    let tree = Tree::new();
    tree.exe("/opt/bin/tool");
    let c = convert(
        &tree,
        Some("/etc/cron.d/x"),
        "0 1 * * * root tool\nPATH=/opt/bin:/usr/bin\n0 2 * * * root tool\n",
        Format::Cron,
        cron::Options::default(),
    );
    assert_eq!(not_found(&c, 1).len(), 1, "{:?}", not_found(&c, 1));
    assert!(not_found(&c, 1)[0].contains("/usr/bin:/bin"));
    assert!(not_found(&c, 3).is_empty(), "{:?}", not_found(&c, 3));
}

#[test]
fn shell_words_are_not_executables() {
    let tree = Tree::new();
    let c = convert(
        &tree,
        Some("/etc/cron.d/x"),
        "0 1 * * * root if [ -d /srv ]; then cd /srv && echo \"$(date)\" > /tmp/x; fi; exit 0\n\
         0 2 * * * root for f in /srv/*; do test -f \"$f\" && : ; done; { true; }\n\
         0 3 * * * root $HOME/bin/x \"/quoted/path\" `hostname`\n",
        Format::Cron,
        cron::Options::default(),
    );
    for line in 1..=3 {
        assert!(
            not_found(&c, line).is_empty(),
            "line {line}: {:?}",
            not_found(&c, line)
        );
    }
}

#[test]
fn a_guarded_missing_executable_says_the_job_skips_it() {
    let tree = Tree::new();
    let c = convert(
        &tree,
        Some("/etc/cron.d/x"),
        "0 1 * * * root test -x /usr/sbin/gone && /usr/sbin/gone --run\n\
         0 2 * * * root command -v tidy >/dev/null && tidy\n",
        Format::Cron,
        cron::Options::default(),
    );
    let one = not_found(&c, 1);
    assert_eq!(one.len(), 1, "{one:?}");
    assert!(
        one[0].contains("`/usr/sbin/gone`") && one[0].contains("test"),
        "{}",
        one[0]
    );
    let two = not_found(&c, 2);
    assert_eq!(two.len(), 1, "{two:?}");
    assert!(
        two[0].contains("`tidy`") && two[0].contains("test"),
        "{}",
        two[0]
    );
}

#[test]
fn anacron_commands_are_checked_too() {
    let tree = Tree::new();
    let c = convert(
        &tree,
        Some("/etc/anacrontab"),
        "1 5 daily /usr/local/bin/a; /usr/local/bin/b\n",
        Format::Anacron,
        cron::Options::default(),
    );
    assert_eq!(not_found(&c, 1).len(), 2, "{:?}", not_found(&c, 1));
}

// ---------------------------------------------------------------------------------------------
// Line endings and the inferred format
// ---------------------------------------------------------------------------------------------

fn debian() -> cron::Options {
    cron::Options::default()
}

fn cronie() -> cron::Options {
    cron::Options {
        dialect: cron::schedule::Dialect::Cronie,
        ..cron::Options::default()
    }
}

#[test]
fn a_carriage_return_at_line_end_is_part_of_crons_command() {
    let tree = Tree::new();
    tree.exe("/usr/bin/backup");
    let c = convert(
        &tree,
        Some("/etc/cron.d/x"),
        "# DOS line endings\r\nMAILTO=\"\"\r\n0 1 * * * root /usr/bin/backup\r\n",
        Format::Cron,
        debian(),
    );
    let service = unit(&c, "x-backup.service");
    assert!(
        service.contains("ExecStart=/bin/sh -c /usr/bin/backup\n"),
        "{service}"
    );
    let crlf = findings_at(&c, 3, Code::CronCrlf);
    assert_eq!(crlf.len(), 1, "{:?}", c.report.items);
    assert_eq!(crlf[0].level, Level::Approximated);
    assert!(
        crlf[0].message.contains("`/usr/bin/backup\\r`"),
        "{}",
        crlf[0].message
    );
    // The CR of the assignment is blank space to cron; the comment's is a comment.
    assert!(findings_at(&c, 3, Code::CronMailto).is_empty());
}

#[test]
fn a_carriage_return_after_a_percent_goes_to_standard_input() {
    let tree = Tree::new();
    let c = convert(
        &tree,
        Some("/etc/cron.d/x"),
        "0 1 * * * root cat%hello\r\n",
        Format::Cron,
        debian(),
    );
    let crlf = findings_at(&c, 1, Code::CronCrlf);
    assert_eq!(crlf.len(), 1);
    assert!(
        crlf[0].message.contains("standard input"),
        "{}",
        crlf[0].message
    );
}

#[test]
fn a_blank_dos_line_makes_debian_cron_ignore_the_whole_file() {
    let tree = Tree::new();
    let text = "0 1 * * * root /bin/a\r\n\r\n0 2 * * * root /bin/b\r\n";
    let c = convert(&tree, Some("/etc/cron.d/x"), text, Format::Cron, debian());
    for line in [1, 3] {
        let crlf = findings_at(&c, line, Code::CronCrlf);
        assert!(
            crlf.iter()
                .any(|f| f.message.contains("whole file") && f.message.contains("line 2")),
            "line {line}: {crlf:?}"
        );
    }
    // cronie logs the line and reads the others.
    let c = convert(&tree, Some("/etc/cron.d/x"), text, Format::Cron, cronie());
    assert!(
        all_findings(&c, Code::CronCrlf)
            .iter()
            .all(|f| !f.message.contains("whole file"))
    );
}

#[test]
fn without_a_final_newline_debian_cron_ignores_the_file_and_cronie_the_last_line() {
    let tree = Tree::new();
    let text = "0 1 * * * root /bin/a\n0 2 * * * root /bin/b";
    let c = convert(&tree, Some("/etc/cron.d/x"), text, Format::Cron, debian());
    for line in [1, 2] {
        let f = findings_at(&c, line, Code::CronNoFinalNewline);
        assert_eq!(f.len(), 1, "line {line}");
        assert_eq!(f[0].level, Level::Approximated);
        assert!(f[0].message.contains("whole file"), "{}", f[0].message);
    }
    let c = convert(&tree, Some("/etc/cron.d/x"), text, Format::Cron, cronie());
    assert!(findings_at(&c, 1, Code::CronNoFinalNewline).is_empty());
    let f = findings_at(&c, 2, Code::CronNoFinalNewline);
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("this line"), "{}", f[0].message);
}

#[test]
fn a_last_comment_without_newline_is_harmless() {
    let tree = Tree::new();
    let c = convert(
        &tree,
        Some("/etc/cron.d/x"),
        "0 1 * * * root /bin/a\n# the end",
        Format::Cron,
        debian(),
    );
    assert!(all_findings(&c, Code::CronNoFinalNewline).is_empty());
}

#[test]
fn an_inferred_format_is_noted() {
    let tree = Tree::new();
    let c = convert(
        &tree,
        Some("/srv/tabs/backup"),
        "0 1 * * * root /bin/a\n",
        Format::Cron,
        debian(),
    );
    let f = findings_at(&c, 1, Code::CronFormatInferred);
    assert_eq!(f.len(), 1, "{:?}", c.report.items);
    assert!(
        f[0].message.contains("system crontab") && f[0].message.contains("`root`"),
        "{}",
        f[0].message
    );
    assert!(f[0].help.contains("--user"), "{}", f[0].help);
    let c = convert(
        &tree,
        Some("/srv/tabs/mine"),
        "0 1 * * * /bin/a --x\n",
        Format::Cron,
        debian(),
    );
    let f = findings_at(&c, 1, Code::CronFormatInferred);
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("user's crontab"), "{}", f[0].message);
    // A path that decides the format needs no note.
    let c = convert(
        &tree,
        Some("/etc/cron.d/x"),
        "0 1 * * * root /bin/a\n",
        Format::Cron,
        debian(),
    );
    assert!(all_findings(&c, Code::CronFormatInferred).is_empty());
}

#[test]
fn anacron_keeps_a_carriage_return_in_commands_and_values() {
    let tree = Tree::new();
    let c = convert(
        &tree,
        Some("/etc/anacrontab"),
        "MAILTO=ops\r\n1 5 daily /bin/true\r\n",
        Format::Anacron,
        cron::Options::default(),
    );
    let crlf = findings_at(&c, 2, Code::CronCrlf);
    assert_eq!(crlf.len(), 2, "{crlf:?}");
    assert!(
        crlf.iter()
            .any(|f| f.message.contains("`/bin/true\\r`") && f.message.contains("anacron"))
    );
    assert!(crlf.iter().any(|f| f.message.contains("MAILTO")));
}

// ---------------------------------------------------------------------------------------------
// Placeholders in a file that parses
// ---------------------------------------------------------------------------------------------

fn convert_auto(tree: &Tree, host_path: &str, text: &str) -> Conversion {
    let input = front::Input {
        display: host_path.to_string(),
        host_path: Some(host_path.to_string()),
        data: Ok(text.as_bytes().to_vec()),
    };
    pipeline::convert(&[input], &tree.host(), &pipeline::Options::default())
}

#[test]
fn placeholders_in_values_of_a_crontab_that_parses_are_converted_with_a_finding() {
    let tree = Tree::new();
    let c = convert_auto(
        &tree,
        "/etc/cron.d/app",
        "# {{ ansible_managed }}\nMAILTO=<%= @admin %>\n0 1 * * * root /usr/bin/backup --to {{ backup_host }}\n0 2 * * * root /usr/bin/true\n",
    );
    assert!(c.report.errors.is_empty(), "{:?}", c.report.errors);
    let service = unit(&c, "app-backup.service");
    assert!(service.contains("{{ backup_host }}"), "{service}");
    let f = findings_at(&c, 3, Code::TemplatePlaceholder);
    assert_eq!(f.len(), 1, "{:?}", c.report.items);
    assert_eq!(f[0].level, Level::Approximated);
    assert!(
        f[0].message.contains("`{{ backup_host }}`") && f[0].message.contains("`<%= @admin %>`"),
        "{}",
        f[0].message
    );
    // The comment's placeholder is in no value; line 4's job has none of its own but the
    // MAILTO above it.
    assert!(
        !f[0].message.contains("ansible_managed"),
        "{}",
        f[0].message
    );
    let other = findings_at(&c, 4, Code::TemplatePlaceholder);
    assert_eq!(other.len(), 1);
    assert!(
        !other[0].message.contains("backup_host"),
        "{}",
        other[0].message
    );
}

/// cron's `%` rule cuts an ERB tag in a command apart; the finding still names it as written.
#[test]
fn a_placeholder_cut_by_crons_percent_rule_is_named_as_written() {
    let tree = Tree::new();
    let c = convert_auto(
        &tree,
        "/etc/cron.d/app",
        "0 1 * * * root /usr/bin/backup --to <%= @dest %>\n",
    );
    let f = findings_at(&c, 1, Code::TemplatePlaceholder);
    assert_eq!(f.len(), 1, "{:?}", c.report.items);
    assert!(f[0].message.contains("`<%= @dest %>`"), "{}", f[0].message);
}

#[test]
fn a_file_without_placeholders_in_values_gets_no_placeholder_finding() {
    let tree = Tree::new();
    let c = convert_auto(
        &tree,
        "/etc/cron.d/app",
        "# {{ ansible_managed }}\n0 2 * * * root /usr/bin/true\n",
    );
    assert!(all_findings(&c, Code::TemplatePlaceholder).is_empty());
    assert!(all_findings(&c, Code::TemplateInput).is_empty());
}

#[test]
fn a_template_that_does_not_parse_is_still_an_error() {
    let tree = Tree::new();
    let c = convert_auto(
        &tree,
        "/etc/cron.d/app",
        "{{ minute }} * * * * root /usr/bin/true\n",
    );
    assert_eq!(c.report.errors.len(), 1);
    assert_eq!(all_findings(&c, Code::TemplateInput).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Files Debian's cron ignores as a whole
// ---------------------------------------------------------------------------------------------

#[test]
fn an_empty_unquoted_assignment_makes_debian_cron_ignore_the_file() {
    let tree = Tree::new();
    let text = "MAILTO=\n0 1 * * * root /bin/a\n";
    let c = convert(&tree, Some("/etc/cron.d/x"), text, Format::Cron, debian());
    let f = findings_at(&c, 2, Code::CronFileIgnored);
    assert_eq!(f.len(), 1, "{:?}", c.report.items);
    assert!(
        f[0].message.contains("line 1") && f[0].message.contains("`MAILTO=`"),
        "{}",
        f[0].message
    );
    assert!(f[0].help.contains("MAILTO=\"\""), "{}", f[0].help);
    // The value is empty either way: no mail.
    assert!(findings_at(&c, 2, Code::CronMailto).is_empty());
    // cronie reads `MAILTO=` as an empty value; `MAILTO=""` is fine for both.
    let c = convert(&tree, Some("/etc/cron.d/x"), text, Format::Cron, cronie());
    assert!(all_findings(&c, Code::CronFileIgnored).is_empty());
    let c = convert(
        &tree,
        Some("/etc/cron.d/x"),
        "MAILTO=\"\"\n0 1 * * * root /bin/a\n",
        Format::Cron,
        debian(),
    );
    assert!(all_findings(&c, Code::CronFileIgnored).is_empty());
}

#[test]
fn a_broken_line_makes_debian_cron_ignore_the_file_but_the_others_are_converted() {
    let tree = Tree::new();
    let text = "0 1 * * * root /bin/a\n5/15 * * * * root /bin/b\n0 3 * * * root /bin/c\n";
    let c = convert(&tree, Some("/etc/cron.d/x"), text, Format::Cron, debian());
    assert_eq!(c.report.errors.len(), 1);
    for line in [1, 3] {
        let f = findings_at(&c, line, Code::CronFileIgnored);
        assert_eq!(f.len(), 1, "line {line}");
        assert_eq!(f[0].level, Level::Approximated);
        assert!(f[0].message.contains("line 2"), "{}", f[0].message);
    }
    let c = convert(&tree, Some("/etc/cron.d/x"), text, Format::Cron, cronie());
    assert!(all_findings(&c, Code::CronFileIgnored).is_empty());
}

// ---------------------------------------------------------------------------------------------
// anacron's continuation lines and backslashes
// ---------------------------------------------------------------------------------------------

fn anacron_script(c: &Conversion) -> String {
    let service = unit(c, "anacron-j.service");
    service
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .unwrap_or_else(|| panic!("no ExecStart= in {service}"))
        .to_string()
}

#[test]
fn anacron_joins_a_continued_line_with_a_space() {
    let tree = Tree::new();
    let c = convert(
        &tree,
        Some("/etc/anacrontab"),
        "1 5 j /bin/echo one\\\ntwo\n",
        Format::Anacron,
        cronie(),
    );
    assert_eq!(anacron_script(&c), "/bin/sh -c \"/bin/echo one two\"");
}

#[test]
fn debians_anacron_drops_every_backslash_and_says_so() {
    let tree = Tree::new();
    let text = "1 5 j /usr/bin/printf 'a\\tb' >/tmp/x\n";
    let c = convert(
        &tree,
        Some("/etc/anacrontab"),
        text,
        Format::Anacron,
        debian(),
    );
    assert_eq!(
        anacron_script(&c),
        "/bin/sh -c \"/usr/bin/printf 'atb' >/tmp/x\""
    );
    let f = findings_at(&c, 1, Code::AnacronBackslash);
    assert_eq!(f.len(), 1, "{:?}", c.report.items);
    assert!(
        f[0].message.contains("`/usr/bin/printf 'atb' >/tmp/x`"),
        "{}",
        f[0].message
    );
    // cronie's anacron keeps them.
    let c = convert(
        &tree,
        Some("/etc/anacrontab"),
        text,
        Format::Anacron,
        cronie(),
    );
    assert_eq!(
        anacron_script(&c),
        "/bin/sh -c \"/usr/bin/printf 'a\\\\tb' >/tmp/x\""
    );
    assert!(all_findings(&c, Code::AnacronBackslash).is_empty());
}

#[test]
fn a_carriage_return_right_after_a_percent_is_standard_input() {
    let tree = Tree::new();
    let c = convert(
        &tree,
        Some("/etc/cron.d/x"),
        "0 1 * * * root /usr/bin/backup%\r\n",
        Format::Cron,
        debian(),
    );
    let crlf = findings_at(&c, 1, Code::CronCrlf);
    assert!(
        crlf[0].message.contains("standard input"),
        "{}",
        crlf[0].message
    );
}

#[test]
fn mail_of_a_crontab_without_a_known_owner_names_no_one_in_particular() {
    let tree = Tree::new();
    tree.exe("/usr/sbin/sendmail");
    let c = convert(
        &tree,
        Some("/srv/tabs/mine"),
        "0 1 * * * /bin/a --x\n",
        Format::Cron,
        debian(),
    );
    let mail = findings_at(&c, 1, Code::CronMailto);
    assert!(
        mail[0].message.contains("to the crontab's owner"),
        "{}",
        mail[0].message
    );
}
