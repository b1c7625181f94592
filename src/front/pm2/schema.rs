//! PM2's option schema (`lib/API/schema.json` of PM2 7.0.4, restated as data): every key PM2
//! keeps, its accepted types, explicit aliases, default, pattern, unit type and bounds.
//! [`aliases`] adds the camelCase form PM2 derives for every key (`lib/tools/Config.js`).

/// A JavaScript type a key accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T {
    String,
    Number,
    Boolean,
    Array,
    Object,
}

impl T {
    /// The `Object.prototype.toString` tag.
    #[must_use]
    pub fn tag(self) -> &'static str {
        match self {
            T::String => "String",
            T::Number => "Number",
            T::Boolean => "Boolean",
            T::Array => "Array",
            T::Object => "Object",
        }
    }
}

/// A default PM2 injects when the key is absent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum D {
    Bool(bool),
    Num(f64),
    Str(&'static str),
}

/// The patterns string values must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// `^\d+(G|M|K)?$`
    Size,
    /// `^\d+(h|m|s)?$`
    Duration,
    /// `^(cluster|fork)(_mode)?$`
    ExecMode,
}

impl Pattern {
    #[must_use]
    pub fn matches(self, s: &str) -> bool {
        let digits_then = |units: &[char]| {
            let body = s.strip_suffix(|c| units.contains(&c)).unwrap_or(s);
            !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit())
        };
        match self {
            Pattern::Size => digits_then(&['G', 'M', 'K']),
            Pattern::Duration => digits_then(&['h', 'm', 's']),
            Pattern::ExecMode => {
                matches!(s, "cluster" | "fork" | "cluster_mode" | "fork_mode")
            }
        }
    }

    /// The pattern as PM2's schema writes it, for error messages.
    #[must_use]
    pub fn source(self) -> &'static str {
        match self {
            Pattern::Size => "^\\d+(G|M|K)?$",
            Pattern::Duration => "^\\d+(h|m|s)?$",
            Pattern::ExecMode => "^(cluster|fork)(_mode)?$",
        }
    }
}

/// The unit suffixes of `max_memory_restart` (`K`/`M`/`G`, ×1024ⁿ → bytes) and `min_uptime`
/// (`s`/`m`/`h` → milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ext {
    Bytes,
    Millis,
}

impl Ext {
    /// The factor of the last character of a value, `None` when it is not a unit.
    #[must_use]
    pub fn factor(self, unit: char) -> Option<f64> {
        match (self, unit) {
            (Ext::Bytes, 'G') => Some(1024.0 * 1024.0 * 1024.0),
            (Ext::Bytes, 'M') => Some(1024.0 * 1024.0),
            (Ext::Bytes, 'K') => Some(1024.0),
            (Ext::Millis, 'h') => Some(3_600_000.0),
            (Ext::Millis, 'm') => Some(60_000.0),
            (Ext::Millis, 's') => Some(1000.0),
            _ => None,
        }
    }
}

/// One schema key.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub types: &'static [T],
    pub aliases: &'static [&'static str],
    pub default: Option<D>,
    pub regex: Option<Pattern>,
    pub ext: Option<Ext>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// The `env_*` keys (`^env_\S*$`): an object or a string.
pub const ENV_BLOCK_TYPES: &[T] = &[T::Object, T::String];

/// Every key, in the schema's order (the `^env_\S*$` key is [`ENV_BLOCK_TYPES`]).
pub const KEYS: &[Key] = &[
    Key {
        name: "script",
        types: &[T::String],
        aliases: &["exec"],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "name",
        types: &[T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "name_prefix",
        types: &[T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "filter_env",
        types: &[T::Boolean, T::Array, T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "namespace",
        types: &[T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "install_url",
        types: &[T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "cwd",
        types: &[T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "args",
        types: &[T::Array, T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "exec_interpreter",
        types: &[T::String],
        aliases: &["interpreter"],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "node_args",
        types: &[T::Array, T::String],
        aliases: &["interpreterArgs", "interpreter_args"],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "out_file",
        types: &[T::String],
        aliases: &["out", "output", "out_log"],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "error_file",
        types: &[T::String],
        aliases: &["error", "err", "err_file", "err_log"],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "log_file",
        types: &[T::Boolean, T::String],
        aliases: &["log"],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "disable_logs",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "log_type",
        types: &[T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "log_date_format",
        types: &[T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "time",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "env",
        types: &[T::Object, T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "max_memory_restart",
        types: &[T::String, T::Number],
        aliases: &[],
        default: None,
        regex: Some(Pattern::Size),
        ext: Some(Ext::Bytes),
        min: None,
        max: None,
    },
    Key {
        name: "pid_file",
        types: &[T::String],
        aliases: &["pid"],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "restart_delay",
        types: &[T::Number],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "exp_backoff_restart_delay",
        types: &[T::Number],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "source_map_support",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "disable_source_map_support",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "wait_ready",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "instances",
        types: &[T::Number],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "kill_timeout",
        types: &[T::Number],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "shutdown_with_message",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "listen_timeout",
        types: &[T::Number],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "cron_restart",
        types: &[T::String, T::Number],
        aliases: &["cron"],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "merge_logs",
        types: &[T::Boolean],
        aliases: &["combine_logs"],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "vizion",
        types: &[T::Boolean],
        aliases: &[],
        default: Some(D::Bool(true)),
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "autostart",
        types: &[T::Boolean],
        aliases: &[],
        default: Some(D::Bool(true)),
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "autorestart",
        types: &[T::Boolean],
        aliases: &[],
        default: Some(D::Bool(true)),
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "stop_exit_codes",
        types: &[T::Array, T::Number],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "watch_delay",
        types: &[T::Number],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "watch",
        types: &[T::Boolean, T::Array, T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "ignore_watch",
        types: &[T::Array, T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "watch_options",
        types: &[T::Object],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "min_uptime",
        types: &[T::Number, T::String],
        aliases: &[],
        default: None,
        regex: Some(Pattern::Duration),
        ext: Some(Ext::Millis),
        min: Some(100.0),
        max: None,
    },
    Key {
        name: "max_restarts",
        types: &[T::Number],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: Some(0.0),
        max: None,
    },
    Key {
        name: "execute_command",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "exec_mode",
        types: &[T::String],
        aliases: &[],
        default: None,
        regex: Some(Pattern::ExecMode),
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "force",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "append_env_to_name",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "post_update",
        types: &[T::Array],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "trace",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "disable_trace",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "v8",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "event_loop_inspector",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "deep_monitoring",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "increment_var",
        types: &[T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "instance_var",
        types: &[T::String],
        aliases: &[],
        default: Some(D::Str("NODE_APP_INSTANCE")),
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "pmx",
        types: &[T::Boolean, T::String],
        aliases: &[],
        default: Some(D::Bool(true)),
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "automation",
        types: &[T::Boolean],
        aliases: &[],
        default: Some(D::Bool(true)),
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "treekill",
        types: &[T::Boolean],
        aliases: &[],
        default: Some(D::Bool(true)),
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "port",
        types: &[T::Number],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "username",
        types: &[T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "uid",
        types: &[T::Number, T::String],
        aliases: &["user"],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "gid",
        types: &[T::Number, T::String],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "windowsHide",
        types: &[T::Boolean],
        aliases: &[],
        default: Some(D::Bool(true)),
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "kill_retry_time",
        types: &[T::Number],
        aliases: &[],
        default: Some(D::Num(100.0)),
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "write",
        types: &[T::Boolean],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
    Key {
        name: "io",
        types: &[T::Object],
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    },
];

/// The aliases PM2 tries for `key`, in its order: the explicit aliases last-listed first, then
/// the camelCase form (`exp_backoff_restart_delay` → `expBackoffRestartDelay`; parts of one
/// letter are not capitalised).
#[must_use]
pub fn aliases(key: &Key) -> Vec<String> {
    let camel: String = key
        .name
        .split('_')
        .enumerate()
        .map(|(i, part)| {
            if i != 0 && part.chars().count() > 1 {
                let mut c = part.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            } else {
                part.to_string()
            }
        })
        .collect();
    key.aliases
        .iter()
        .rev()
        .map(|a| (*a).to_string())
        .chain(std::iter::once(camel))
        .collect()
}

/// The schema entry of `name`.
#[must_use]
pub fn key(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_in_pm2_order() {
        assert_eq!(
            aliases(key("node_args").unwrap()),
            ["interpreter_args", "interpreterArgs", "nodeArgs"]
        );
        assert_eq!(
            aliases(key("exp_backoff_restart_delay").unwrap()),
            ["expBackoffRestartDelay"]
        );
        assert_eq!(aliases(key("uid").unwrap()), ["user", "uid"]);
        assert_eq!(
            aliases(key("error_file").unwrap()),
            ["err_log", "err_file", "err", "error", "errorFile"]
        );
        assert!(Pattern::Size.matches("300M") && !Pattern::Size.matches("1.5G"));
        assert!(Pattern::Duration.matches("5s") && Pattern::Duration.matches("100"));
    }
}
