//! Typed unit-file sections and the writer that spells them.
//!
//! Values in these structs are already escaped for systemd (see [`super::escape`]); the writer
//! orders keys deterministically, lays out the file, and is the one place that guarantees no
//! value can change the file's structure: [`UnitFile::render`] refuses any line that systemd's
//! parser would read as more, or other, than the one `Key=value` meant (a line break, carriage
//! return or NUL, any other control character, surrounding whitespace that systemd strips, an
//! odd run of trailing backslashes that joins the next line, a unit-name list element that is
//! not one unit name, an invalid `User=`, a replacement character left by bytes that were not
//! UTF-8, a line longer than systemd reads). Comments are escaped so they stay one line.
//! Each section's `entries` destructures every field, so a field added here and never written
//! fails to compile.

use std::fmt::Write as _;

/// The longest line systemd 252 reads from a unit file (`LONG_LINE_MAX`, 1 MiB); longer lines
/// make the whole unit fail to load ("No buffer space available").
pub const LONG_LINE_MAX: usize = 1024 * 1024;

/// A value the writer refuses to write, naming the directive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot write {directive}=: {reason}")]
pub struct Unwritable {
    pub directive: &'static str,
    pub reason: String,
}

/// What kind of value a directive takes, for the checks [`check`] makes beyond the line rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Any single line.
    Line,
    /// A space-separated list of unit names (`Wants=`, `After=`, `WantedBy=`, …).
    UnitNames,
    /// A user or group name, or a numeric id (`User=`, `Group=`).
    Account,
}

fn shape_of(key: &str) -> Shape {
    match key {
        "Wants"
        | "Requires"
        | "After"
        | "Before"
        | "Conflicts"
        | "OnFailure"
        | "OnSuccess"
        | "WantedBy"
        | "Alias"
        | "PartOf"
        | "ReloadPropagatedFrom"
        | "Sockets"
        | "Service" => Shape::UnitNames,
        "User" | "Group" => Shape::Account,
        _ => Shape::Line,
    }
}

/// Reads the name that starts at byte `start` of `list` and ends before the next space (or
/// the end): where it ends, and whether it is one unit name as systemd reads it from a list:
/// the characters of `[A-Za-z0-9:_.@\\-]`, `%` for specifiers, a known suffix (`.service`,
/// `.socket`, `.target`, `.timer`, `.path`, `.mount`, `.automount`, `.swap`, `.slice`,
/// `.scope`, `.device`), at most 255 bytes. Every character
/// a unit name may hold is ASCII, so its bytes are read one at a time, in one pass that also
/// finds its last dot; every suffix is a dot and a word without one, so the name ends with one
/// exactly when what follows that dot is one (and is longer when the dot is not its first
/// byte).
fn unit_name_at(list: &str, start: usize) -> (usize, bool) {
    let bytes = list.as_bytes();
    let mut end = start;
    let mut last_dot = None;
    let mut allowed = true;
    while let Some(&b) = bytes.get(end) {
        match b {
            b' ' => break,
            b'.' => last_dot = Some(end),
            b if b.is_ascii_alphanumeric()
                || matches!(b, b':' | b'_' | b'@' | b'-' | b'\\' | b'%') => {}
            _ => allowed = false,
        }
        end += 1;
    }
    let len = end - start;
    let ok = allowed
        && len > 0
        && len <= 255
        && !matches!(bytes[start], b'.' | b'-' | b'@')
        && last_dot.is_some_and(|dot| {
            dot > start
                && matches!(
                    list.get(dot..end),
                    Some(
                        ".service"
                            | ".socket"
                            | ".target"
                            | ".timer"
                            | ".path"
                            | ".mount"
                            | ".automount"
                            | ".swap"
                            | ".slice"
                            | ".scope"
                            | ".device"
                    )
                )
        });
    (end, ok)
}

/// The first of the space-separated names in `value` that is not a unit name
/// ([`unit_name_at`]), as `value.split(' ').find(…)` finds it, in one pass over the bytes (a
/// list of thousands of names for a script without a header on a large host).
fn first_non_unit_name(value: &str) -> Option<&str> {
    let mut start = 0;
    loop {
        let (end, ok) = unit_name_at(value, start);
        if !ok {
            return Some(&value[start..end]);
        }
        if end == value.len() {
            return None;
        }
        start = end + 1;
    }
}

/// Whether `name` is a user or group name systemd 252 accepts in `User=`/`Group=` (its relaxed
/// rules, with `%` doubled for specifiers), or a numeric id. An invalid name is not an error
/// for systemd: it ignores the assignment and runs the service as root, so it must never be
/// written.
fn is_account(name: &str) -> bool {
    let plain = name.replace("%%", "");
    !plain.is_empty()
        && plain.len() <= 256
        && !plain.contains('%')
        && !matches!(plain.as_str(), "." | "..")
        && !plain.starts_with('-')
        && !plain
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, ':' | '/' | ','))
}

/// Checks one `key=value` line against the rules in the module documentation.
///
/// # Errors
/// [`Unwritable`] saying which rule the value breaks.
pub fn check(key: &'static str, value: &str) -> Result<(), Unwritable> {
    let refuse = |reason: String| {
        Err(Unwritable {
            directive: key,
            reason,
        })
    };
    // Unit names and most other values are ASCII: then a byte is a character, and U+FFFD
    // (not ASCII) cannot be there.
    let ascii = value.is_ascii();
    let control = if ascii {
        // Looked for without stopping early within blocks of 64 bytes, which the compiler
        // can do many bytes at a time; then found where it is.
        let any = value
            .as_bytes()
            .chunks(64)
            .any(|c| c.iter().fold(false, |a, &b| a | (b < 0x20) | (b == 0x7f)));
        any.then(|| value.bytes().find(u8::is_ascii_control).map(char::from))
            .flatten()
    } else {
        value.chars().find(|c| c.is_control())
    };
    if let Some(c) = control {
        let what = match c {
            '\n' => "a line break".to_string(),
            '\r' => "a carriage return".to_string(),
            '\0' => "a NUL byte".to_string(),
            c => format!("the control character U+{:04X}", u32::from(c)),
        };
        return refuse(format!(
            "the value holds {what}, which systemd cannot read in this setting"
        ));
    }
    if !ascii && value.contains('\u{fffd}') {
        return refuse(
            "the value holds bytes that are not valid UTF-8 (shown as U+FFFD); systemd would run something else"
                .to_string(),
        );
    }
    if value.starts_with([' ', '\t']) || value.ends_with([' ', '\t']) {
        return refuse(
            "the value starts or ends with whitespace, which systemd strips".to_string(),
        );
    }
    let trailing = value.len() - value.trim_end_matches('\\').len();
    if trailing % 2 == 1 {
        return refuse(
            "the value ends with a backslash, which systemd reads as a line continuation"
                .to_string(),
        );
    }
    if key.len() + 1 + value.len() >= LONG_LINE_MAX {
        return refuse(format!(
            "the line would be {} bytes; systemd reads at most {} bytes per line",
            key.len() + 1 + value.len(),
            LONG_LINE_MAX - 1
        ));
    }
    match shape_of(key) {
        Shape::Line => Ok(()),
        Shape::UnitNames => match first_non_unit_name(value) {
            Some(bad) => refuse(format!("`{bad}` is not a unit name")),
            None => Ok(()),
        },
        Shape::Account if !is_account(value) => refuse(format!(
            "`{value}` is not a user or group name systemd accepts (it would ignore the setting and run the service as root)"
        )),
        Shape::Account => Ok(()),
    }
}

/// A comment as one `# ` line: backslashes doubled, control characters written as `\n`,
/// `\t`, `\r` or `\xNN`, so no byte of `text` can end the line or start another.
#[must_use]
pub fn comment(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push_str("# ");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
            c => out.push(c),
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// `[Unit]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitSection {
    pub description: Option<String>,
    pub documentation: Vec<String>,
    pub default_dependencies: Option<bool>,
    pub wants: Vec<String>,
    pub requires: Vec<String>,
    pub after: Vec<String>,
    pub before: Vec<String>,
    pub conflicts: Vec<String>,
    pub on_failure: Vec<String>,
    pub on_success: Vec<String>,
    pub part_of: Vec<String>,
    pub reload_propagated_from: Vec<String>,
    pub start_limit_interval_sec: Option<u64>,
    pub start_limit_burst: Option<u32>,
    pub source_path: Option<String>,
    pub condition_ac_power: Option<bool>,
    pub condition_file_is_executable: Vec<String>,
    pub condition_path_exists: Vec<String>,
    pub condition_path_is_directory: Vec<String>,
    pub condition_file_not_empty: Vec<String>,
    pub condition_directory_not_empty: Vec<String>,
    pub condition_kernel_command_line: Vec<String>,
}

/// `[Service]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceSection {
    pub kind: Option<&'static str>,
    pub remain_after_exit: Option<bool>,
    pub guess_main_pid: Option<bool>,
    pub pid_file: Option<String>,
    pub user: Option<String>,
    pub group: Option<String>,
    pub working_directory: Option<String>,
    pub environment: Vec<String>,
    pub environment_file: Vec<String>,
    pub umask: Option<String>,
    pub nice: Option<i32>,
    pub limits: Vec<(crate::ir::Resource, String)>,
    pub memory_max: Option<u64>,
    pub io_scheduling_class: Option<String>,
    pub io_scheduling_priority: Option<u8>,
    pub cpu_scheduling_policy: Option<String>,
    pub cpu_scheduling_priority: Option<u32>,
    pub runtime_directory: Vec<String>,
    pub runtime_directory_mode: Option<String>,
    pub logs_directory: Vec<String>,
    pub logs_directory_mode: Option<String>,
    pub sockets: Vec<String>,
    pub standard_input: Option<&'static str>,
    pub standard_input_data: Option<String>,
    pub standard_output: Option<String>,
    pub standard_error: Option<String>,
    pub syslog_identifier: Option<String>,
    pub syslog_facility: Option<String>,
    pub syslog_level: Option<&'static str>,
    pub syslog_level_prefix: Option<bool>,
    pub exec_start_pre: Vec<String>,
    /// Write an empty `ExecStart=` first (a drop-in replacing the command).
    pub reset_exec_start: bool,
    pub exec_start: Vec<String>,
    pub exec_reload: Vec<String>,
    pub exec_stop: Vec<String>,
    pub exec_stop_post: Vec<String>,
    pub kill_mode: Option<&'static str>,
    pub kill_signal: Option<String>,
    pub timeout_start_sec: Option<u64>,
    pub timeout_stop_sec: Option<u64>,
    pub success_exit_status: Vec<String>,
    pub restart_force_exit_status: Vec<String>,
    pub restart_prevent_exit_status: Vec<String>,
    pub ignore_sigpipe: Option<bool>,
    pub restart: Option<&'static str>,
    pub restart_sec: Option<u64>,
}

/// `[Timer]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimerSection {
    pub on_calendar: Vec<String>,
    pub on_active_sec: Option<u64>,
    pub on_unit_active_sec: Option<u64>,
    pub on_boot_sec: Option<u64>,
    pub accuracy_sec: Option<u64>,
    pub randomized_delay_sec: Option<u64>,
    pub fixed_random_delay: Option<bool>,
    pub persistent: Option<bool>,
}

/// `[Socket]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SocketSection {
    pub listen_stream: Vec<String>,
    pub socket_user: Option<String>,
    pub socket_group: Option<String>,
    pub socket_mode: Option<String>,
    pub backlog: Option<u32>,
    pub service: Option<String>,
}

impl SocketSection {
    fn entries(&self) -> Entries {
        let SocketSection {
            listen_stream,
            socket_user,
            socket_group,
            socket_mode,
            backlog,
            service,
        } = self;
        let mut out = Entries::new();
        push_all(&mut out, "ListenStream", listen_stream);
        push_opt(&mut out, "SocketUser", socket_user);
        push_opt(&mut out, "SocketGroup", socket_group);
        push_opt(&mut out, "SocketMode", socket_mode);
        push_opt(&mut out, "Backlog", backlog);
        push_opt(&mut out, "Service", service);
        out
    }
}

/// `[Install]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallSection {
    pub wanted_by: Vec<String>,
    pub alias: Vec<String>,
}

type Entries = Vec<(&'static str, String)>;

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn push_opt<T: ToString>(out: &mut Entries, key: &'static str, value: &Option<T>) {
    if let Some(v) = value {
        out.push((key, v.to_string()));
    }
}

fn push_all(out: &mut Entries, key: &'static str, values: &[String]) {
    out.extend(values.iter().map(|v| (key, v.clone())));
}

fn push_list(out: &mut Entries, key: &'static str, values: &[String]) {
    if !values.is_empty() {
        out.push((key, values.join(" ")));
    }
}

impl UnitSection {
    fn entries(&self) -> Entries {
        let UnitSection {
            description,
            documentation,
            default_dependencies,
            wants,
            requires,
            after,
            before,
            conflicts,
            on_failure,
            on_success,
            part_of,
            reload_propagated_from,
            start_limit_interval_sec,
            start_limit_burst,
            source_path,
            condition_ac_power,
            condition_file_is_executable,
            condition_path_exists,
            condition_path_is_directory,
            condition_file_not_empty,
            condition_directory_not_empty,
            condition_kernel_command_line,
        } = self;
        let mut out = Entries::new();
        push_opt(&mut out, "Description", description);
        push_all(&mut out, "Documentation", documentation);
        push_opt(
            &mut out,
            "DefaultDependencies",
            &default_dependencies.map(yes_no),
        );
        push_list(&mut out, "Wants", wants);
        push_list(&mut out, "Requires", requires);
        push_list(&mut out, "After", after);
        push_list(&mut out, "Before", before);
        push_list(&mut out, "Conflicts", conflicts);
        push_list(&mut out, "OnFailure", on_failure);
        push_list(&mut out, "OnSuccess", on_success);
        push_list(&mut out, "PartOf", part_of);
        push_list(&mut out, "ReloadPropagatedFrom", reload_propagated_from);
        push_opt(
            &mut out,
            "StartLimitIntervalSec",
            &start_limit_interval_sec.map(seconds),
        );
        push_opt(&mut out, "StartLimitBurst", start_limit_burst);
        push_opt(&mut out, "SourcePath", source_path);
        push_opt(
            &mut out,
            "ConditionACPower",
            &condition_ac_power.map(|b| b.to_string()),
        );
        push_all(
            &mut out,
            "ConditionFileIsExecutable",
            condition_file_is_executable,
        );
        push_all(&mut out, "ConditionPathExists", condition_path_exists);
        push_all(
            &mut out,
            "ConditionPathIsDirectory",
            condition_path_is_directory,
        );
        push_all(&mut out, "ConditionFileNotEmpty", condition_file_not_empty);
        push_all(
            &mut out,
            "ConditionDirectoryNotEmpty",
            condition_directory_not_empty,
        );
        push_all(
            &mut out,
            "ConditionKernelCommandLine",
            condition_kernel_command_line,
        );
        out
    }
}

impl ServiceSection {
    fn entries(&self) -> Entries {
        let ServiceSection {
            kind,
            remain_after_exit,
            guess_main_pid,
            pid_file,
            user,
            group,
            working_directory,
            environment,
            environment_file,
            umask,
            nice,
            limits,
            memory_max,
            io_scheduling_class,
            io_scheduling_priority,
            cpu_scheduling_policy,
            cpu_scheduling_priority,
            runtime_directory,
            runtime_directory_mode,
            logs_directory,
            logs_directory_mode,
            sockets,
            standard_input,
            standard_input_data,
            standard_output,
            standard_error,
            syslog_identifier,
            syslog_facility,
            syslog_level,
            syslog_level_prefix,
            exec_start_pre,
            reset_exec_start,
            exec_start,
            exec_reload,
            exec_stop,
            exec_stop_post,
            kill_mode,
            kill_signal,
            timeout_start_sec,
            timeout_stop_sec,
            success_exit_status,
            restart_force_exit_status,
            restart_prevent_exit_status,
            ignore_sigpipe,
            restart,
            restart_sec,
        } = self;
        let mut out = Entries::new();
        push_opt(&mut out, "Type", kind);
        push_opt(&mut out, "RemainAfterExit", &remain_after_exit.map(yes_no));
        push_opt(&mut out, "GuessMainPID", &guess_main_pid.map(yes_no));
        push_opt(&mut out, "PIDFile", pid_file);
        push_opt(&mut out, "User", user);
        push_opt(&mut out, "Group", group);
        push_opt(&mut out, "WorkingDirectory", working_directory);
        push_all(&mut out, "Environment", environment);
        push_all(&mut out, "EnvironmentFile", environment_file);
        push_opt(&mut out, "UMask", umask);
        push_opt(&mut out, "Nice", nice);
        for (resource, value) in limits {
            out.push((resource.directive(), value.clone()));
        }
        push_opt(&mut out, "MemoryMax", memory_max);
        if memory_max.is_some() {
            // At the limit the kernel would swap the service's memory out instead of killing
            // it on a host with swap: no swap, so the limit kills.
            out.push(("MemorySwapMax", "0".to_string()));
        }
        push_opt(&mut out, "IOSchedulingClass", io_scheduling_class);
        push_opt(&mut out, "IOSchedulingPriority", io_scheduling_priority);
        push_opt(&mut out, "CPUSchedulingPolicy", cpu_scheduling_policy);
        push_opt(&mut out, "CPUSchedulingPriority", cpu_scheduling_priority);
        push_list(&mut out, "RuntimeDirectory", runtime_directory);
        push_opt(&mut out, "RuntimeDirectoryMode", runtime_directory_mode);
        push_list(&mut out, "LogsDirectory", logs_directory);
        push_opt(&mut out, "LogsDirectoryMode", logs_directory_mode);
        push_list(&mut out, "Sockets", sockets);
        push_opt(&mut out, "StandardInput", standard_input);
        push_opt(&mut out, "StandardInputData", standard_input_data);
        push_opt(&mut out, "StandardOutput", standard_output);
        push_opt(&mut out, "StandardError", standard_error);
        push_opt(&mut out, "SyslogIdentifier", syslog_identifier);
        push_opt(&mut out, "SyslogFacility", syslog_facility);
        push_opt(&mut out, "SyslogLevel", syslog_level);
        push_opt(
            &mut out,
            "SyslogLevelPrefix",
            &syslog_level_prefix.map(|b| if b { "yes" } else { "no" }),
        );
        push_all(&mut out, "ExecStartPre", exec_start_pre);
        if *reset_exec_start {
            out.push(("ExecStart", String::new()));
        }
        push_all(&mut out, "ExecStart", exec_start);
        push_all(&mut out, "ExecReload", exec_reload);
        push_all(&mut out, "ExecStop", exec_stop);
        push_all(&mut out, "ExecStopPost", exec_stop_post);
        push_opt(&mut out, "KillMode", kill_mode);
        push_opt(&mut out, "KillSignal", kill_signal);
        push_opt(&mut out, "TimeoutStartSec", &timeout_start_sec.map(seconds));
        push_opt(&mut out, "TimeoutStopSec", &timeout_stop_sec.map(seconds));
        push_list(&mut out, "SuccessExitStatus", success_exit_status);
        push_list(
            &mut out,
            "RestartForceExitStatus",
            restart_force_exit_status,
        );
        push_list(
            &mut out,
            "RestartPreventExitStatus",
            restart_prevent_exit_status,
        );
        push_opt(&mut out, "IgnoreSIGPIPE", &ignore_sigpipe.map(yes_no));
        push_opt(&mut out, "Restart", restart);
        push_opt(&mut out, "RestartSec", restart_sec);
        out
    }
}

impl TimerSection {
    fn entries(&self) -> Entries {
        let TimerSection {
            on_calendar,
            on_active_sec,
            on_unit_active_sec,
            on_boot_sec,
            accuracy_sec,
            randomized_delay_sec,
            fixed_random_delay,
            persistent,
        } = self;
        let mut out = Entries::new();
        push_all(&mut out, "OnCalendar", on_calendar);
        push_opt(&mut out, "OnActiveSec", &on_active_sec.map(seconds));
        push_opt(
            &mut out,
            "OnUnitActiveSec",
            &on_unit_active_sec.map(seconds),
        );
        push_opt(&mut out, "OnBootSec", &on_boot_sec.map(seconds));
        push_opt(&mut out, "AccuracySec", &accuracy_sec.map(seconds));
        push_opt(
            &mut out,
            "RandomizedDelaySec",
            &randomized_delay_sec.map(seconds),
        );
        push_opt(
            &mut out,
            "FixedRandomDelay",
            &fixed_random_delay.map(yes_no),
        );
        push_opt(&mut out, "Persistent", &persistent.map(yes_no));
        out
    }
}

/// A time span in systemd's notation, in the largest whole unit (`90s` → `90s`, `120` → `2min`).
#[must_use]
pub fn seconds(s: u64) -> String {
    if s != 0 && s.is_multiple_of(3600) {
        format!("{}h", s / 3600)
    } else if s != 0 && s.is_multiple_of(60) {
        format!("{}min", s / 60)
    } else {
        format!("{s}s")
    }
}

impl InstallSection {
    fn entries(&self) -> Entries {
        let InstallSection { wanted_by, alias } = self;
        let mut out = Entries::new();
        push_list(&mut out, "WantedBy", wanted_by);
        push_list(&mut out, "Alias", alias);
        out
    }
}

/// The body of a unit file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Service(Box<ServiceSection>),
    Timer(TimerSection),
    /// A `.target`: no section of its own.
    Target,
    Socket(SocketSection),
    Path(PathSection),
}

/// `[Path]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathSection {
    /// `PathChanged=`, one line per path (already escaped).
    pub path_changed: Vec<String>,
}

impl PathSection {
    fn entries(&self) -> Entries {
        let mut out = Entries::new();
        push_all(&mut out, "PathChanged", &self.path_changed);
        out
    }
}

/// A complete unit file: header comments, then `[Unit]`, the type section and `[Install]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFile {
    pub comments: Vec<String>,
    pub unit: UnitSection,
    pub kind: Kind,
    pub install: InstallSection,
}

impl UnitFile {
    /// The file's text: each comment as a `# ` line (see [`comment`]), then the non-empty
    /// sections separated by blank lines. Deterministic for equal input.
    ///
    /// # Errors
    /// [`Unwritable`] for the first value [`check`] refuses; nothing is half-written.
    pub fn render(&self) -> Result<String, Unwritable> {
        let mut out = String::new();
        for c in &self.comments {
            let _ = writeln!(out, "{}", comment(c));
        }
        let (kind_name, kind_entries) = match &self.kind {
            Kind::Service(s) => ("Service", s.entries()),
            Kind::Timer(t) => ("Timer", t.entries()),
            Kind::Target => ("Target", Entries::new()),
            Kind::Socket(sock) => ("Socket", sock.entries()),
            Kind::Path(p) => ("Path", p.entries()),
        };
        for (name, entries) in [
            ("Unit", self.unit.entries()),
            (kind_name, kind_entries),
            ("Install", self.install.entries()),
        ] {
            if entries.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            let _ = writeln!(out, "[{name}]");
            for (k, v) in entries {
                check(k, &v)?;
                let _ = writeln!(out, "{k}={v}");
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule as first written: a string at a time, each suffix tried.
    fn reference(name: &str) -> bool {
        const SUFFIXES: [&str; 11] = [
            ".service",
            ".socket",
            ".target",
            ".timer",
            ".path",
            ".mount",
            ".automount",
            ".swap",
            ".slice",
            ".scope",
            ".device",
        ];
        !name.is_empty()
            && name.len() <= 255
            && !name.starts_with(['.', '-', '@'])
            && name.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.' | '@' | '-' | '\\' | '%')
            })
            && SUFFIXES
                .iter()
                .any(|s| name.len() > s.len() && name.ends_with(s))
    }

    #[test]
    fn unit_names_are_read_as_the_rule_says() {
        let long = format!("{}.service", "a".repeat(247));
        let longer = format!("{}.service", "a".repeat(248));
        let names = [
            "",
            "a.service",
            "sshd@.service",
            "a@b.timer",
            "x.y.target",
            "-a.service",
            ".service",
            "@a.service",
            ".a.service",
            "a.servic",
            "a.services",
            "a.service.d",
            "a b.service",
            "a\\x2d.socket",
            "é.service",
            "a%i.service",
            "a.Service",
            "a..service",
            "a.automount",
            "a.device",
            "a/b.service",
            "a.",
            ".",
            "a.service\n",
            &long,
            &longer,
        ];
        for name in names {
            assert_eq!(
                unit_name_at(name, 0) == (name.len(), true),
                reference(name),
                "{name:?}"
            );
        }
        // A list: the first name that is not one, as `split(' ')` finds it.
        for list in [
            "a.service b.target",
            "a.service  b.target",
            "a.service ",
            " a.service",
            "",
            "a.service b c.timer",
            "a.service b.target é",
        ] {
            assert_eq!(
                first_non_unit_name(list),
                list.split(' ').find(|n| !reference(n)),
                "{list:?}"
            );
        }
    }

    #[test]
    fn control_characters_are_refused_in_ascii_and_other_text() {
        let long = "a".repeat(200);
        for (value, what) in [
            (format!("{long}\u{7}x"), "U+0007"),
            (format!("{long}\u{7f}"), "U+007F"),
            (format!("é{long}\u{1}"), "U+0001"),
            ("é\u{85}".to_string(), "U+0085"),
        ] {
            let e = check("Description", &value).unwrap_err();
            assert!(e.reason.contains(what), "{value:?}: {}", e.reason);
        }
        assert!(check("Description", &long).is_ok());
        assert!(check("After", "a.service b.target").is_ok());
        assert!(check("After", "a.service b").is_err());
    }
}
