//! Findings: what the report tells the operator about one item — a stable [`Code`], a
//! [`Level`] and the words. Depends on nothing else in the crate, so the IR, the frontends, the
//! backend and the report can all use it.
//!
//! Every [`Code`] is documented in `MIGRATION.md` (a test enforces it) with the reason and what
//! to do by hand.

use serde::Serialize;

macro_rules! codes {
    ($($variant:ident => $text:literal,)*) => {
        /// A stable finding code, rendered kebab-case.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code, for documentation checks.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case spelling used in reports and `MIGRATION.md`.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }
    };
}

codes! {
    CronMailto => "cron-mailto",
    CronMailHook => "cron-mail-hook",
    CronNoMta => "cron-no-mta",
    CronDst => "cron-dst",
    CronReboot => "cron-reboot",
    CronTzIgnored => "cron-tz-ignored",
    CronTz => "cron-tz",
    CronTzEnv => "cron-tz-env",
    CronRandomDelay => "cron-random-delay",
    CronRandomRange => "cron-random-range",
    CronNoLog => "cron-no-log",
    CronOverlap => "cron-overlap",
    CronNeverFires => "cron-never-fires",
    CronDomDowOr => "cron-dom-dow-or",
    CronDomDowAnd => "cron-dom-dow-and",
    CronWeekly => "cron-weekly",
    CronDialectVariable => "cron-dialect-variable",
    CronIgnoredFile => "cron-ignored-file",
    CronSuperseded => "cron-superseded",
    CronPeriodicLine => "cron-periodic-line",
    CronNoUser => "cron-no-user",
    CronEmpty => "cron-empty",
    CronStdinUser => "cron-stdin-user",
    CronFormatInferred => "cron-format-inferred",
    CronCrlf => "cron-crlf",
    CronNoFinalNewline => "cron-no-final-newline",
    CronFileIgnored => "cron-file-ignored",
    AnacronPeriod => "anacron-period",
    AnacronDelay => "anacron-delay",
    AnacronHoursRange => "anacron-hours-range",
    AnacronQuotes => "anacron-quotes",
    AnacronBackslash => "anacron-backslash",
    PeriodicRunParts => "periodic-run-parts",
    PeriodicSkippedScript => "periodic-skipped-script",
    PeriodicDirectory => "periodic-directory",
    PeriodicDirectoryMerged => "periodic-directory-merged",
    PeriodicDirectoryUnused => "periodic-directory-unused",
    UserNotFound => "user-not-found",
    CommandNotFound => "command-not-found",
    UnitNameCollision => "unit-name-collision",
    UnitNameShadows => "unit-name-shadows",
    SecretEnvFile => "secret-env-file",
    LogToJournal => "log-to-journal",
    TemplateInput => "template-input",
    TemplatePlaceholder => "template-placeholder",
    EnvInvalid => "env-invalid",
    SysvNotAScript => "sysv-not-a-script",
    SysvNotExecutable => "sysv-not-executable",
    SysvSuperseded => "sysv-superseded",
    SysvMasked => "sysv-masked",
    SysvNativeUnit => "sysv-native-unit",
    SysvNoOp => "sysv-no-op",
    SysvWrapped => "sysv-wrapped",
    SysvPidfile => "sysv-pidfile",
    SysvUnmappedOption => "sysv-unmapped-option",
    SysvRuntimeDirectory => "sysv-runtime-directory",
    SysvConfigTest => "sysv-config-test",
    SysvLockFile => "sysv-lock-file",
    SysvStartStep => "sysv-start-step",
    SysvStopStep => "sysv-stop-step",
    SysvStopSchedule => "sysv-stop-schedule",
    SysvReloadRestarts => "sysv-reload-restarts",
    SysvDefaultsShell => "sysv-defaults-shell",
    SysvDefaultsMissing => "sysv-defaults-missing",
    SysvEarlyBoot => "sysv-early-boot",
    SysvEarlyOrdering => "sysv-early-ordering",
    SysvEnabled => "sysv-enabled",
    SysvAliasIsScript => "sysv-alias-is-script",
    SysvDisabled => "sysv-disabled",
    SysvMissingDependency => "sysv-missing-dependency",
    SysvStopOrder => "sysv-stop-order",
    SysvInteractive => "sysv-interactive",
    SysvNoLsbHeader => "sysv-no-lsb-header",
    SysvCustomAction => "sysv-custom-action",
    SysvStatus => "sysv-status",
    SysvToggle => "sysv-toggle",
    SysvStartGate => "sysv-start-gate",
    SysvDefaultsChoice => "sysv-defaults-choice",
    SysvControlTool => "sysv-control-tool",
    SysvRelativeOutput => "sysv-relative-output",
    SysvOutputToLogger => "sysv-output-to-logger",
    SysvResolvedValue => "sysv-resolved-value",
    SysvForeground => "sysv-foreground",
    SysvPreparedDirectory => "sysv-prepared-directory",
    SysvLogsDirectory => "sysv-logs-directory",
    SysvGuard => "sysv-guard",
    SysvStartCondition => "sysv-start-condition",
    SysvKernelCommandLine => "sysv-kernel-command-line",
    SysvDaemonLauncher => "sysv-daemon-launcher",
    SysvToolDaemon => "sysv-tool-daemon",
    SysvUnitSet => "sysv-unit-set",
    SysvUnitSetMember => "sysv-unit-set-member",
    SysvPerConfiguration => "sysv-per-configuration",
    SysvPerSettingWord => "sysv-per-setting-word",
    SysvPerListLine => "sysv-per-list-line",
    SysvInstanceSettings => "sysv-instance-settings",
    SysvInstanceClient => "sysv-instance-client",
    SysvRunningGuard => "sysv-running-guard",
    SysvUndecidedTest => "sysv-undecided-test",
    SysvExecWrapper => "sysv-exec-wrapper",
    SysvPidfileUnknown => "sysv-pidfile-unknown",
    SysvPidfileCheckOnly => "sysv-pidfile-check-only",
    SysvPidfileUnwritable => "sysv-pidfile-unwritable",
    SysvStartShell => "sysv-start-shell",
    SysvHostFileTest => "sysv-host-file-test",
    SysvScriptPath => "sysv-script-path",
    SysvEmptySource => "sysv-empty-source",
    SysvComputedValue => "sysv-computed-value",
    SysvRunPartsLoop => "sysv-run-parts-loop",
    SysvEval => "sysv-eval",
    SysvShellAction => "sysv-shell-action",
    SupervisordFragment => "supervisord-fragment",
    SupervisordNestedInclude => "supervisord-nested-include",
    SupervisordIncludeNoMatch => "supervisord-include-no-match",
    SupervisordIncludeUnreadable => "supervisord-include-unreadable",
    SupervisordIgnoredSection => "supervisord-ignored-section",
    SupervisordStderrLogfileIgnored => "supervisord-stderr-logfile-ignored",
    SupervisordSyslogLogfile => "supervisord-syslog-logfile",
    SupervisordAutoLogUnbounded => "supervisord-auto-log-unbounded",
    SupervisordEnvBaked => "supervisord-env-baked",
    SupervisordHostnameBaked => "supervisord-hostname-baked",
    SupervisordDaemonize => "supervisord-daemonize",
    SupervisordUserNobody => "supervisord-user-nobody",
    SupervisordUserSwitch => "supervisord-user-switch",
    SupervisordLimits => "supervisord-limits",
    SupervisordStartLimit => "supervisord-start-limit",
    SupervisordStopChildren => "supervisord-stop-children",
    SupervisordLogRotation => "supervisord-log-rotation",
    SupervisordLogJournal => "supervisord-log-journal",
    SupervisordLogSyslog => "supervisord-log-syslog",
    SupervisordLogEvents => "supervisord-log-events",
    SupervisordServerUrl => "supervisord-serverurl",
    SupervisordPriority => "supervisord-priority",
    SupervisordPerProcess => "supervisord-per-process",
    SupervisordNumprocs => "supervisord-numprocs",
    SupervisordAutostartOff => "supervisord-autostart-off",
    SupervisordFcgi => "supervisord-fcgi",
    SupervisordEventListener => "supervisord-event-listener",
    SupervisordControlInterface => "supervisord-control-interface",
    Pm2NotAConfigName => "pm2-not-a-config-name",
    Pm2EnvRead => "pm2-env-read",
    Pm2EnvSet => "pm2-env-set",
    Pm2ExportDefault => "pm2-export-default",
    Pm2EsmNode => "pm2-esm-node",
    Pm2Static => "pm2-static",
    Pm2FileRefused => "pm2-file-refused",
    Pm2InstancesCpus => "pm2-instances-cpus",
    Pm2NoUser => "pm2-no-user",
    Pm2CwdAssumed => "pm2-cwd-assumed",
    Pm2UnknownKey => "pm2-unknown-key",
    Pm2DumpEnvDropped => "pm2-dump-env-dropped",
    Pm2DumpStopped => "pm2-dump-stopped",
    Pm2EnvLeftOut => "pm2-env-left-out",
    Pm2ClusterMode => "pm2-cluster-mode",
    Pm2OptionUnmapped => "pm2-option-unmapped",
    Pm2NotStarted => "pm2-not-started",
    Pm2Serve => "pm2-serve",
    Pm2BareJson => "pm2-bare-json",
    Pm2EvalNode => "pm2-eval-node",
    Pm2MemoryRestart => "pm2-memory-restart",
    Pm2CronRestart => "pm2-cron-restart",
    Pm2CronSeconds => "pm2-cron-seconds",
    Pm2CronDaysAnd => "pm2-cron-days-and",
    Pm2CronUnsupported => "pm2-cron-unsupported",
    Pm2Watch => "pm2-watch",
    Pm2RestartLimit => "pm2-restart-limit",
    Pm2ExpBackoff => "pm2-exp-backoff",
    Pm2StopExitCodes => "pm2-stop-exit-codes",
    Pm2WaitReady => "pm2-wait-ready",
    Pm2ShutdownMessage => "pm2-shutdown-message",
    Pm2LogOptions => "pm2-log-options",
    Pm2Io => "pm2-io",
    Pm2Deploy => "pm2-deploy",
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a finding changes behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// For information; behaviour is the same.
    Note,
    /// Translated, but the behaviour differs.
    Approximated,
    /// Not translated at all.
    Dropped,
}

impl Level {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Approximated => "approximated",
            Level::Dropped => "dropped",
        }
    }
}

/// Something the report tells the operator about one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub level: Level,
    pub message: Text,
    /// What to do; most are fixed texts, held once however many items carry them.
    pub help: std::borrow::Cow<'static, str>,
}

/// A finding's words, shared: cloning it (one text many items carry, such as a listener's hook
/// on every program it watches) does not copy the text. Reads, prints and serializes as the
/// string it holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(std::sync::Arc<str>);

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, to: S) -> Result<S::Ok, S::Error> {
        to.serialize_str(&self.0)
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(s.into())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.into())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.0.to_string()
    }
}

/// The finding texts of a run, each held once: most findings repeat a text other items carry
/// (the copies of one init script get the same ones). Safe to share between workers.
#[derive(Debug, Default)]
pub struct Texts(std::sync::Mutex<std::collections::HashSet<Text>>);

impl Texts {
    /// Makes each of `findings`' messages the run's one copy of that text.
    pub fn share(&self, findings: &mut [Finding]) {
        // A poisoned set is still a set of texts.
        let mut set = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for f in findings {
            match set.get(&f.message) {
                Some(t) => f.message = t.clone(),
                None => {
                    set.insert(f.message.clone());
                }
            }
        }
    }
}

impl Finding {
    #[must_use]
    pub fn new(
        code: Code,
        level: Level,
        message: impl Into<Text>,
        help: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Self {
        Finding {
            code,
            level,
            message: message.into(),
            help: help.into(),
        }
    }
    #[must_use]
    pub fn note(
        code: Code,
        message: impl Into<Text>,
        help: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Self {
        Self::new(code, Level::Note, message, help)
    }
    #[must_use]
    pub fn approximated(
        code: Code,
        message: impl Into<Text>,
        help: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Self {
        Self::new(code, Level::Approximated, message, help)
    }
    #[must_use]
    pub fn dropped(
        code: Code,
        message: impl Into<Text>,
        help: impl Into<std::borrow::Cow<'static, str>>,
    ) -> Self {
        Self::new(code, Level::Dropped, message, help)
    }
}

#[cfg(test)]
mod tests {
    use super::{Code, Finding, Texts};

    #[test]
    fn a_run_holds_each_text_once_and_the_findings_read_the_same() {
        let texts = Texts::default();
        let make = |m: String| vec![Finding::note(Code::LogToJournal, m, "help")];
        let mut a = make(format!("the same {}", 1));
        let mut b = make(format!("the same {}", 1));
        let mut c = make("another".to_string());
        texts.share(&mut a);
        texts.share(&mut b);
        texts.share(&mut c);
        assert_eq!(a, b);
        assert_eq!(a[0].message, "the same 1");
        assert!(std::ptr::eq(a[0].message.as_ptr(), b[0].message.as_ptr()));
        assert!(!std::ptr::eq(a[0].message.as_ptr(), c[0].message.as_ptr()));
        assert_eq!(
            serde_json::to_string(&b[0]).unwrap_or_default(),
            r#"{"code":"log-to-journal","level":"note","message":"the same 1","help":"help"}"#
        );
    }
}
