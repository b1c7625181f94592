//! Details of the cron and anacron frontends: whose crontab standard input is, how anacron
//! reads quotes, line endings, every missing executable, placeholders, and `explain`.

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
        std::fs::set_permissions(self.local(host_path), std::fs::Permissions::from_mode(0o755))
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
    assert!(findings_at(&c, 1, Code::CronStdinUser)[0]
        .message
        .contains("uid 4242"));
}

/// The real thing: `convert -` without `--user` on this machine names the user `id -un` names.
#[test]
fn the_command_line_reads_the_running_user_from_the_process() {
    let id = std::process::Command::new("id").arg("-un").output().unwrap();
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
