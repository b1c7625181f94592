//! The commands init scripts use to start, stop and signal daemons, read into what they mean:
//! `start-stop-daemon` (dpkg), LSB `start_daemon`/`killproc`, RHEL `daemon`/`killproc`, `kill`,
//! and a direct call of the daemon.

use super::shell::{Arg, Call, Interp};

/// How a daemon is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    /// The executable, as the host names it.
    pub program: String,
    pub args: Vec<Arg>,
    /// Which command started it (for messages).
    pub tool: &'static str,
    /// The starter forks it into the background (`--background`, `&`): the program itself
    /// stays in the foreground.
    pub background: bool,
    /// The starter writes the pid file (`--make-pidfile`).
    pub make_pidfile: bool,
    pub pid_file: Option<String>,
    pub user: Option<String>,
    pub group: Option<String>,
    pub chdir: Option<String>,
    pub nice: Option<i32>,
    pub umask: Option<u32>,
    pub iosched: Option<(String, Option<u8>)>,
    pub procsched: Option<(String, Option<u32>)>,
    /// `--output FILE`: stdout and stderr appended to it.
    pub output: Option<String>,
    /// `--notify-await`: the daemon reports readiness with `sd_notify`.
    pub notify: bool,
    /// Options with no systemd counterpart here (`--chroot`), as written.
    pub unmapped: Vec<String>,
    /// RHEL `daemon` sets a soft core-file limit of 0 unless `DAEMON_COREFILE_LIMIT` says
    /// otherwise.
    pub core_limit: Option<String>,
    pub line: u32,
    /// Started inside a loop (one per configuration file, …).
    pub in_loop: bool,
    /// A direct call of the daemon whose exit status the script tests.
    pub tested: bool,
    /// Only on some paths of the script.
    pub conditional: bool,
    /// The starter keeps its standard output and error for the daemon (`--no-close`, or the
    /// daemon run directly).
    pub keeps_output: bool,
    /// The start command's own redirection (`>>FILE 2>&1`): the file, whether standard error
    /// follows, whether `>` truncates it first.
    pub redirect: Option<(String, bool, bool)>,
    /// The start command's output sent into `logger` ([`Call::logger`]).
    pub logger: Option<super::logger::LoggerPipe>,
    /// Variables of the call that hold one of several values ([`Call::uncertain`]).
    pub uncertain: Vec<String>,
    /// Such variables in the pid file option only ([`Call::uncertain_pid_file`]): the pid
    /// file is not known, [`Start::pid_file`] is `None`.
    pub uncertain_pid_file: Vec<String>,
    /// [`Call::cond_depth`].
    pub cond_depth: u32,
    /// Off the likely path ([`Call::unlikely`]).
    pub unlikely: Option<(String, u32, bool)>,
    /// The undecided tests enclosing the call ([`Call::under`]).
    pub under: Vec<(String, u32, bool)>,
}

impl Start {
    /// A start of nothing yet, by `tool` at the call's line.
    #[must_use]
    pub fn of(call: &Call, tool: &'static str) -> Self {
        Start {
            program: String::new(),
            args: Vec::new(),
            tool,
            background: false,
            make_pidfile: false,
            pid_file: None,
            user: None,
            group: None,
            chdir: None,
            nice: None,
            umask: None,
            iosched: None,
            procsched: None,
            output: None,
            notify: false,
            unmapped: Vec::new(),
            core_limit: None,
            line: call.line,
            in_loop: call.in_loop,
            tested: call.tested,
            conditional: call.conditional,
            keeps_output: false,
            redirect: call.output.clone(),
            logger: call.logger.clone(),
            uncertain: call.uncertain.clone(),
            uncertain_pid_file: call.uncertain_pid_file.clone(),
            cond_depth: call.cond_depth,
            unlikely: call.unlikely.clone(),
            under: call.under.clone(),
        }
    }

    /// Takes the program at `call.args[at]` (resolved on this host) and the arguments after it.
    fn take_program(&mut self, call: &Call, at: usize, interp: &Interp) -> Result<(), String> {
        let Some(exe) = call.args.get(at) else {
            return Err(format!("{} names no program", self.tool));
        };
        match interp.resolve(exe) {
            Some(p) if interp.function_of(&p).is_some() => {
                return Err(format!(
                    "{} runs `{p}`, a shell function of {}, which only the script can run",
                    self.tool,
                    interp.function_of(&p).unwrap_or_default()
                ));
            }
            Some(p) if !p.is_empty() => self.program = p,
            _ => {
                return Err(format!(
                    "{} runs `{}`, known only at run time",
                    self.tool,
                    exe.display()
                ));
            }
        }
        self.args = call.args[at + 1..].to_vec();
        Ok(())
    }
}

/// How a daemon is stopped: the first signal and how long to wait before `SIGKILL`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StopPlan {
    pub signal: Option<String>,
    pub timeout: Option<u64>,
    /// Signals of a `--retry` schedule after the first one that systemd cannot send (other than
    /// `CONT`, which systemd sends anyway, and the final `KILL`).
    pub extra_signals: Vec<String>,
}

/// A signal name without `SIG`, from a name, `-NAME`, `SIGNAME` or a number.
#[must_use]
pub fn signal_name(s: &str) -> Option<String> {
    let s = s.trim_start_matches('-');
    let s = s.strip_prefix("SIG").unwrap_or(s);
    let by_number = match s {
        "1" => "HUP",
        "2" => "INT",
        "3" => "QUIT",
        "6" => "ABRT",
        "9" => "KILL",
        "10" => "USR1",
        "12" => "USR2",
        "14" => "ALRM",
        "15" => "TERM",
        "18" => "CONT",
        "19" => "STOP",
        "28" => "WINCH",
        _ => "",
    };
    if !by_number.is_empty() {
        return Some(by_number.to_string());
    }
    let upper = s.to_ascii_uppercase();
    const KNOWN: [&str; 16] = [
        "HUP", "INT", "QUIT", "ABRT", "KILL", "USR1", "USR2", "ALRM", "TERM", "CONT", "STOP",
        "WINCH", "PWR", "TSTP", "TTIN", "TTOU",
    ];
    KNOWN.contains(&upper.as_str()).then_some(upper)
}

/// A `--retry` schedule: `N` (TERM/N/KILL/N) or `SIG/N/SIG/N…`.
#[must_use]
pub fn retry_schedule(s: &str) -> StopPlan {
    if let Ok(n) = s.parse::<u64>() {
        return StopPlan {
            signal: Some("TERM".to_string()),
            timeout: Some(n),
            extra_signals: Vec::new(),
        };
    }
    let mut plan = StopPlan::default();
    let mut waited = 0u64;
    let mut killed = false;
    for item in s.split('/') {
        if let Ok(n) = item.parse::<u64>() {
            if !killed {
                waited += n;
            }
        } else if let Some(sig) = signal_name(item) {
            if sig == "KILL" {
                killed = true;
            } else if plan.signal.is_none() {
                plan.signal = Some(sig);
            } else if sig != "CONT" && !killed {
                plan.extra_signals.push(sig);
            }
        }
    }
    if plan.signal.is_none() {
        plan.signal = Some("TERM".to_string());
    }
    plan.timeout = Some(waited);
    plan
}

const SSD_VALUE: &[(&str, &str)] = &[
    ("-x", "--exec"),
    ("-p", "--pidfile"),
    ("-n", "--name"),
    ("-u", "--user"),
    ("-g", "--group"),
    ("-s", "--signal"),
    ("-R", "--retry"),
    ("-a", "--startas"),
    ("-c", "--chuid"),
    ("-r", "--chroot"),
    ("-d", "--chdir"),
    ("-O", "--output"),
    ("-N", "--nicelevel"),
    ("-P", "--procsched"),
    ("-I", "--iosched"),
    ("-k", "--umask"),
    ("", "--ppid"),
    ("", "--notify-timeout"),
];

const SSD_FLAGS: &[(&str, &str)] = &[
    ("-S", "--start"),
    ("-K", "--stop"),
    ("-T", "--status"),
    ("-t", "--test"),
    ("-o", "--oknodo"),
    ("-q", "--quiet"),
    ("-v", "--verbose"),
    ("-b", "--background"),
    ("-C", "--no-close"),
    ("-m", "--make-pidfile"),
    ("", "--remove-pidfile"),
    ("", "--notify-await"),
];

/// `start-stop-daemon` options by long name, with their values, then the arguments after `--`.
struct Ssd {
    options: Vec<(&'static str, Option<Arg>)>,
    rest: Vec<Arg>,
}

impl Ssd {
    fn has(&self, long: &str) -> bool {
        self.options.iter().any(|(o, _)| *o == long)
    }
    fn value(&self, long: &str, interp: &Interp) -> Option<String> {
        self.options
            .iter()
            .rev()
            .find(|(o, _)| *o == long)
            .and_then(|(_, v)| v.as_ref())
            .and_then(|v| interp.resolve(v))
    }
}

fn parse_ssd(args: &[Arg]) -> Option<Ssd> {
    let mut out = Ssd {
        options: Vec::new(),
        rest: Vec::new(),
    };
    let mut i = 1;
    while i < args.len() {
        let Some(word) = args[i].literal() else {
            // A variable holding options (`$START_ARGS`): unknown options.
            out.options.push(("?", Some(args[i].clone())));
            i += 1;
            continue;
        };
        i += 1;
        if word == "--" {
            out.rest = args[i..].to_vec();
            break;
        }
        let (name, inline) = match word.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (word.clone(), None),
        };
        if let Some((_, long)) = SSD_VALUE.iter().find(|(s, l)| *s == name || *l == name) {
            let value = match inline {
                Some(v) => Some(Arg::Field(vec![super::shell::Part::Lit(v)])),
                // A value that is really the next option: the variable that held the value
                // was empty here.
                None if args
                    .get(i)
                    .and_then(Arg::literal)
                    .is_some_and(|n| n.starts_with("--")) =>
                {
                    None
                }
                None => {
                    i += 1;
                    args.get(i - 1).cloned()
                }
            };
            out.options.push((long, value));
        } else if let Some((_, long)) = SSD_FLAGS.iter().find(|(s, l)| *s == name || *l == name) {
            out.options.push((long, None));
        } else if name.starts_with('-') && !name.starts_with("--") && name.len() > 2 {
            // Bundled short flags (`-oq`).
            for c in name[1..].chars() {
                let short = format!("-{c}");
                match SSD_FLAGS.iter().find(|(s, _)| *s == short) {
                    Some((_, long)) => out.options.push((long, None)),
                    None => return None,
                }
            }
        } else {
            // A word that is not an option: start-stop-daemon would refuse it; keep it as an
            // argument so nothing is lost.
            out.rest.push(args[i - 1].clone());
        }
    }
    Some(out)
}

fn user_group(spec: &str) -> (Option<String>, Option<String>) {
    match spec.split_once(':') {
        Some((u, g)) => (
            (!u.is_empty()).then(|| u.to_string()),
            (!g.is_empty()).then(|| g.to_string()),
        ),
        None => (Some(spec.to_string()), None),
    }
}

/// The call's arguments with variables in option position (before `--`) replaced by their
/// words on this host, so `$START_ARGS` holding `--background` is read as that option.
fn flatten_options(args: &[Arg], interp: &Interp) -> Vec<Arg> {
    let mut out = Vec::with_capacity(args.len());
    let mut rest = false;
    for a in args {
        if rest || a.literal().is_some() {
            rest |= a.literal().as_deref() == Some("--");
            out.push(a.clone());
            continue;
        }
        match interp.resolve(a) {
            Some(v) => out.extend(
                v.split_whitespace()
                    .map(|w| Arg::Field(vec![super::shell::Part::Lit(w.to_string())])),
            ),
            None => out.push(a.clone()),
        }
    }
    out
}

/// Like [`flatten_options`] for starters whose options end at the program
/// (`start_daemon [-n N] [-p F] PROGRAM ARGS…`, RHEL `daemon … PROGRAM ARGS…`): a variable in
/// option position is read as options when its value starts with `-` or `+`, otherwise it is
/// the program; the program's own arguments keep their variables.
fn flatten_until_program(args: &[Arg], interp: &Interp, takes_value: &[&str]) -> Vec<Arg> {
    let lit = |w: &str| Arg::Field(vec![super::shell::Part::Lit(w.to_string())]);
    let mut out = vec![args[0].clone()];
    let mut expect_value = false;
    let mut i = 1;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if expect_value {
            out.push(a.clone());
            expect_value = false;
            continue;
        }
        let words: Vec<String> = match a.literal() {
            Some(w) => vec![w],
            None => {
                let v = interp.resolve(a).unwrap_or_default();
                let ws: Vec<String> = v.split_whitespace().map(str::to_string).collect();
                if ws.first().is_some_and(|w| w.starts_with(['-', '+'])) || ws.is_empty() {
                    ws
                } else {
                    out.push(a.clone());
                    out.extend(args[i..].iter().cloned());
                    return out;
                }
            }
        };
        let mut program = false;
        for w in &words {
            if expect_value {
                expect_value = false;
            } else if w.starts_with(['-', '+']) {
                expect_value = takes_value.contains(&w.as_str());
            } else {
                program = true;
            }
            out.push(lit(w));
        }
        if program {
            out.extend(args[i..].iter().cloned());
            return out;
        }
    }
    out
}

/// Whether the call is `start-stop-daemon` with the given action flag.
#[must_use]
pub fn is_ssd(call: &Call, action: &str) -> bool {
    call.program()
        .as_deref()
        .is_some_and(|p| p == "start-stop-daemon" || p.ends_with("/start-stop-daemon"))
        && parse_ssd(&call.args).is_some_and(|s| s.has(action))
}

/// Reads a call that starts a daemon. `None`: not a start. `Some(Err(why))`: a start whose
/// program cannot be known without running the script. `daemon` is the script's `$DAEMON`
/// (or RHEL `$prog`) when known, for recognising direct calls.
pub fn start(call: &Call, interp: &Interp, daemons: &[String]) -> Option<Result<Start, String>> {
    let program = call.program()?;
    let base = program.rsplit('/').next().unwrap_or(&program);
    let mut s = Start::of(call, "start-stop-daemon");
    match base {
        "start-stop-daemon" => {
            let ssd = parse_ssd(&flatten_options(&call.args, interp))?;
            if !ssd.has("--start") || ssd.has("--test") {
                return None;
            }
            if ssd.has("?") {
                let vars: Vec<String> = ssd
                    .options
                    .iter()
                    .filter(|(o, _)| *o == "?")
                    .filter_map(|(_, v)| v.as_ref().map(Arg::display))
                    .collect();
                return Some(Err(format!(
                    "start-stop-daemon takes options from {} whose value is only known at run time",
                    vars.join(" ")
                )));
            }
            let Some(exe) = ssd
                .value("--startas", interp)
                .or_else(|| ssd.value("--exec", interp))
            else {
                return Some(Err(
                    "start-stop-daemon names no --exec or --startas program".to_string(),
                ));
            };
            if let Some(file) = interp.function_of(&exe) {
                return Some(Err(format!(
                    "start-stop-daemon runs `{exe}`, a shell function of {file}, which only the script can run"
                )));
            }
            s.program = exe;
            s.args = ssd.rest.clone();
            // `start-stop-daemon … &`: without --background it runs the program in the
            // foreground of the shell's background job, which the script does not wait for.
            s.background = ssd.has("--background") || call.background;
            s.make_pidfile = ssd.has("--make-pidfile");
            s.pid_file = ssd.value("--pidfile", interp);
            if let Some(spec) = ssd.value("--chuid", interp) {
                (s.user, s.group) = user_group(&spec);
            }
            if let Some(g) = ssd.value("--group", interp) {
                s.group = Some(g);
            }
            s.chdir = ssd.value("--chdir", interp);
            s.nice = ssd
                .value("--nicelevel", interp)
                .and_then(|n| n.parse().ok());
            s.umask = ssd
                .value("--umask", interp)
                .and_then(|m| u32::from_str_radix(&m, 8).ok());
            s.iosched = ssd.value("--iosched", interp).map(|v| {
                let (c, p) = v.split_once(':').unwrap_or((&v, ""));
                let class = match c {
                    "real-time" => "realtime",
                    other => other,
                };
                (class.to_string(), p.parse().ok())
            });
            s.procsched = ssd.value("--procsched", interp).map(|v| {
                let (c, p) = v.split_once(':').unwrap_or((&v, ""));
                (c.to_string(), p.parse().ok())
            });
            s.output = ssd.value("--output", interp);
            s.notify = ssd.has("--notify-await");
            s.keeps_output = ssd.has("--no-close") || !ssd.has("--background");
            if let Some(root) = ssd.value("--chroot", interp) {
                s.unmapped.push(format!("--chroot {root}"));
            }
        }
        "start_daemon" => {
            s.tool = "start_daemon";
            // LSB's start_daemon runs the program with the caller's standard streams.
            s.keeps_output = true;
            let args = flatten_until_program(&call.args, interp, &["-n", "-p"]);
            let call = &Call {
                args,
                ..call.clone()
            };
            let mut i = 1;
            while let Some(w) = call.args.get(i).and_then(Arg::literal) {
                match w.as_str() {
                    "-f" => i += 1,
                    "-n" => {
                        s.nice = call
                            .args
                            .get(i + 1)
                            .and_then(|a| interp.resolve(a))
                            .and_then(|n| n.parse().ok());
                        i += 2;
                    }
                    "-p" => {
                        s.pid_file = call.args.get(i + 1).and_then(|a| interp.resolve(a));
                        i += 2;
                    }
                    _ => break,
                }
            }
            if let Err(why) = s.take_program(call, i, interp) {
                return Some(Err(why));
            }
        }
        "daemon" => {
            s.tool = "daemon";
            // RHEL's daemon runs the program (through runuser for --user) with the caller's
            // standard streams.
            s.keeps_output = true;
            let args =
                flatten_until_program(&call.args, interp, &["--user", "--pidfile", "--check"]);
            let call = &Call {
                args,
                ..call.clone()
            };
            s.core_limit = Some(
                interp
                    .value("DAEMON_COREFILE_LIMIT")
                    .unwrap_or_else(|| "0".to_string()),
            );
            let mut i = 1;
            while let Some(w) = call.args.get(i).and_then(Arg::literal) {
                let (name, inline) = match w.split_once('=') {
                    Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
                    _ => (w.clone(), None),
                };
                let take = |i: &mut usize| -> Option<String> {
                    if let Some(v) = &inline {
                        *i += 1;
                        Some(v.clone())
                    } else {
                        *i += 2;
                        call.args.get(*i - 1).and_then(|a| interp.resolve(a))
                    }
                };
                match name.as_str() {
                    "--user" => s.user = take(&mut i),
                    "--pidfile" => s.pid_file = take(&mut i),
                    "--check" => {
                        take(&mut i);
                    }
                    "--force" => i += 1,
                    n if (n.starts_with('+') || n.starts_with('-'))
                        && n[1..].chars().all(|c| c.is_ascii_digit())
                        && n.len() > 1 =>
                    {
                        s.nice = n.parse().ok();
                        i += 1;
                    }
                    _ => break,
                }
            }
            if let Err(why) = s.take_program(call, i, interp) {
                return Some(Err(why));
            }
        }
        _ => {
            // A shell function named like the daemon is not the daemon.
            if call.function.is_some() {
                return None;
            }
            // A program put in the background with `&` by its path (atop's
            // `/usr/share/atop/atop.daily &`) keeps running after the script: its daemon,
            // whatever the script calls it.
            let backgrounded = call.background
                && !call.in_loop
                && (!call.piped || call.logger.is_some())
                && program.starts_with('/')
                && !super::is_harmless(base);
            if !backgrounded
                && !daemons.iter().any(|d| {
                    *d == program || d.rsplit('/').next() == Some(base) && !program.contains('/')
                })
            {
                return None;
            }
            if call.piped && call.logger.is_none() {
                return Some(Err(format!(
                    "the daemon's output is piped into another command ({})",
                    super::shell::place(call.line)
                )));
            }
            s.tool = "a direct call";
            s.keeps_output = true;
            s.program = program;
            s.args = call.args[1..].to_vec();
            s.background = call.background;
        }
    }
    // A pid file the script computes on some paths only: its value here is one guess.
    if !s.uncertain_pid_file.is_empty() {
        s.pid_file = None;
    }
    Some(Ok(s))
}

/// The pid file a call that stops a daemon signals through (`start-stop-daemon --stop
/// --pidfile F`, `killproc -p F`): `None` when it is not such a call, `Some(None)` when the
/// file's name is only known at run time (a loop's word, a computed value).
#[must_use]
pub fn stop_pid_file(call: &Call, interp: &Interp) -> Option<Option<String>> {
    let program = call.program()?;
    let base = program.rsplit('/').next().unwrap_or(&program);
    match base {
        "start-stop-daemon" => {
            let ssd = parse_ssd(&flatten_options(&call.args, interp))?;
            if !ssd.has("--stop") || !ssd.has("--pidfile") {
                return None;
            }
            Some(ssd.value("--pidfile", interp).filter(|p| !p.contains('$')))
        }
        "killproc" => {
            let at = call
                .args
                .iter()
                .position(|a| a.literal().as_deref() == Some("-p"))?;
            Some(
                call.args
                    .get(at + 1)
                    .and_then(|a| interp.resolve(a))
                    .filter(|p| !p.contains('$')),
            )
        }
        _ => None,
    }
}

/// Reads a call that stops a daemon: `start-stop-daemon --stop`, `killproc`, `kill`.
#[must_use]
pub fn stop(call: &Call, interp: &Interp) -> Option<StopPlan> {
    let program = call.program()?;
    let base = program.rsplit('/').next().unwrap_or(&program);
    match base {
        "start-stop-daemon" => {
            let ssd = parse_ssd(&flatten_options(&call.args, interp))?;
            if !ssd.has("--stop") || ssd.has("--test") {
                return None;
            }
            let mut plan = ssd
                .value("--retry", interp)
                .map(|r| retry_schedule(&r))
                .unwrap_or_default();
            if let Some(sig) = ssd.value("--signal", interp).and_then(|s| signal_name(&s)) {
                plan.signal = Some(sig);
            }
            Some(plan)
        }
        "killproc" => {
            let mut plan = StopPlan::default();
            let words: Vec<String> = call.args[1..]
                .iter()
                .filter_map(|a| interp.resolve(a))
                .collect();
            let mut i = 0;
            while i < words.len() {
                match words[i].as_str() {
                    "-p" | "-b" => i += 2,
                    "-d" => {
                        plan.timeout = words.get(i + 1).and_then(|d| d.parse().ok());
                        i += 2;
                    }
                    w if w.starts_with('-') => {
                        plan.signal = signal_name(w);
                        i += 1;
                    }
                    _ => i += 1,
                }
            }
            // Without a signal it is a stop: RHEL's killproc waits 3 s (or -d) before
            // SIGKILL, LSB's (/lib/lsb/init-functions) runs `start-stop-daemon --retry 5`.
            if plan.signal.is_none() && plan.timeout.is_none() {
                let rhel = interp
                    .sourced
                    .iter()
                    .any(|s| s.path.ends_with("init.d/functions"));
                plan.timeout = Some(if rhel { 3 } else { 5 });
            }
            // LSB killproc's trailing signal argument is a bare name.
            if plan.signal.is_none()
                && let Some(last) = words.last()
                && words.len() >= 2
                && !last.contains('/')
            {
                plan.signal = signal_name(last);
            }
            Some(plan)
        }
        "kill" | "pkill" | "killall" => {
            let mut plan = StopPlan::default();
            let words: Vec<String> = call.args[1..]
                .iter()
                .map(|a| interp.resolve(a).unwrap_or_default())
                .collect();
            let mut i = 0;
            while i < words.len() {
                let w = &words[i];
                if w == "-s" {
                    plan.signal = words.get(i + 1).and_then(|s| signal_name(s));
                    i += 2;
                } else if w.starts_with('-') && w.len() > 1 {
                    plan.signal = signal_name(w);
                    i += 1;
                } else {
                    i += 1;
                }
            }
            Some(plan)
        }
        _ => None,
    }
}

/// What a stopping or signalling call (one [`stop`] reads) names its daemon by: the values of
/// `start-stop-daemon`'s `--exec`, `--startas`, `--pidfile` and `--name`; `killproc`'s `-p`
/// file and program; the process names of `kill`/`pkill`/`killall`. Empty when it names none.
#[must_use]
pub fn stop_targets(call: &Call, interp: &Interp) -> Vec<String> {
    let Some(program) = call.program() else {
        return Vec::new();
    };
    let base = program.rsplit('/').next().unwrap_or(&program);
    if base == "start-stop-daemon" {
        let Some(ssd) = parse_ssd(&flatten_options(&call.args, interp)) else {
            return Vec::new();
        };
        return ["--exec", "--startas", "--pidfile", "--name"]
            .iter()
            .filter_map(|o| ssd.value(o, interp))
            .collect();
    }
    if !matches!(base, "killproc" | "kill" | "pkill" | "killall") {
        return Vec::new();
    }
    let words: Vec<String> = call.args[1..]
        .iter()
        .filter_map(|a| interp.resolve(a))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w == "-p" || w == "-b" {
            out.extend(words.get(i + 1).cloned());
            i += 2;
        } else if w == "-s" || w == "-d" {
            i += 2;
        } else {
            if !w.starts_with('-') {
                out.push(w.clone());
            }
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_schedules() {
        assert_eq!(
            retry_schedule("TERM/30/KILL/5"),
            StopPlan {
                signal: Some("TERM".into()),
                timeout: Some(30),
                extra_signals: vec![]
            }
        );
        assert_eq!(retry_schedule("5").timeout, Some(5));
        let p = retry_schedule("TERM/0/CONT/30/KILL/5");
        assert_eq!((p.signal.as_deref(), p.timeout), (Some("TERM"), Some(30)));
        assert!(p.extra_signals.is_empty());
        let p = retry_schedule("QUIT/5/TERM/5/KILL/5");
        assert_eq!(p.signal.as_deref(), Some("QUIT"));
        assert_eq!(p.timeout, Some(10));
        assert_eq!(p.extra_signals, ["TERM"]);
    }

    #[test]
    fn signal_names() {
        assert_eq!(signal_name("-HUP").as_deref(), Some("HUP"));
        assert_eq!(signal_name("SIGUSR1").as_deref(), Some("USR1"));
        assert_eq!(signal_name("1").as_deref(), Some("HUP"));
        assert_eq!(signal_name("bogus"), None);
    }
}
