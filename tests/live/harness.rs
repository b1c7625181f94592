//! Boots a real systemd as PID 1 in a throw-away container and talks to it.
//!
//! Recipe (measured in `shared/reference/live-systemd.md`): `systemd-nspawn` unpacked from the
//! Debian packages `systemd-container` and `libsystemd-shared` (`apt-get download` +
//! `dpkg-deb -x`; never installed, so the host's systemd stays as it is), a minimal Debian root
//! built once by `mmdebstrap` and cached under `/var/cache/systemdify-live/` (key: a hash of the
//! package list and this recipe; a file lock keeps parallel test processes from building it
//! twice), and per boot: `unshare --mount --propagation private`, a private tmpfs on `/run`, an
//! overlay with the cached root as lower layer and a tmpfs as upper layer, the launcher in its own
//! cgroup `systemdify-live/<name>`, and `setsid timeout -k 15 CAP` around all of it. The host's
//! devices, services and `/run` are never touched: nspawn makes its own `/dev`, and every write
//! into the container goes through `nsenter` into its own namespaces.
//!
//! [`Container`]'s `Drop` halts the container, kills whatever is left in its cgroups and removes
//! them, also when the test fails or panics; the mount namespace (overlay, tmpfs) dies with its
//! last process. The `timeout` cap is the second line of defence.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The cgroup (below each hierarchy's root) that holds one sub-cgroup per container.
pub const CGROUP_PREFIX: &str = "systemdify-live";
/// Packages of the container root, beyond `--variant=minbase` (psmisc: init scripts stop with
/// `killall`).
pub const PACKAGES: &[&str] = &[
    "systemd", "dbus", "procps", "psmisc", "python3", "cron", "anacron",
];
/// Bump when the root's build steps change (it is part of the cache key).
const RECIPE: &str = "rootfs v1: minbase, no docs/man/locales, timers masked, cron disabled, \
                      anacron masked, machine-id empty, lsb 40-systemd redirect removed";
/// Where stand-ins write their records inside the container.
pub const RECORDS: &str = "/var/lib/live-recorder";
/// The recorder's copy inside the container, from which every stand-in is installed.
pub const RECORDER: &str = "/usr/local/libexec/live-recorder";
/// PATH for commands the harness runs inside.
const INNER_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

#[derive(Clone)]
pub struct Env {
    pub rootfs: PathBuf,
    pub nspawn_root: PathBuf,
    /// The directory of the unpacked `libsystemd-shared` (for `LD_LIBRARY_PATH`).
    pub nspawn_lib: PathBuf,
    pub recorder: PathBuf,
    pub cgroup_roots: Vec<PathBuf>,
    /// Seconds the first preparation took (rootfs build included when it was cold).
    pub prepare_secs: f64,
    pub built_rootfs: bool,
}

unsafe extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
    fn flock(fd: i32, operation: i32) -> i32;
    fn setpriority(which: i32, who: u32, prio: i32) -> i32;
}

/// Makes `cmd`'s process start at nice 0, whatever the test process runs at (`nice cargo test`),
/// so that the container's PID 1 and everything run inside it start from the niceness a booted
/// host has: a script's `nice -n 10` and a unit's `Nice=10` then give the same value.
fn at_nice_zero(cmd: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: setpriority is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            // PRIO_PROCESS (0) of the calling process (0). Lowering needs root, which the
            // live tests have; if it fails the run keeps the inherited value.
            setpriority(0, 0, 0);
            Ok(())
        })
    }
}

/// An exclusive lock on `path` (created if missing), held until the file is dropped.
fn lock_file(path: &Path) -> Result<std::fs::File, String> {
    use std::os::fd::AsRawFd;
    let f = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // LOCK_EX
    if unsafe { flock(f.as_raw_fd(), 2) } != 0 {
        return Err(format!(
            "locking {}: {}",
            path.display(),
            std::io::Error::last_os_error()
        ));
    }
    Ok(f)
}

fn signal(pid: u32, sig: i32) {
    unsafe {
        kill(pid as i32, sig);
    }
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The prepared environment, or `None` after saying why the live tests skip (a failure when
/// `CI=true`).
pub fn env() -> Option<&'static Env> {
    static ENV: OnceLock<Result<Env, String>> = OnceLock::new();
    match ENV.get_or_init(prepare) {
        Ok(e) => Some(e),
        Err(why) => {
            assert!(
                !under_ci(),
                "live tests cannot run, and CI=true makes that a failure: {why}"
            );
            eprintln!("skipping live test: {why}");
            None
        }
    }
}

fn euid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

fn have(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| {
        std::env::split_paths(&p).any(|d| {
            let f = d.join(tool);
            f.is_file()
        })
    })
}

pub fn cache_dir() -> PathBuf {
    std::env::var_os("SYSTEMDIFY_LIVE_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/systemdify-live"))
}

fn run_checked(cmd: &mut Command, what: &str) -> Result<Output, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out)
}

fn fnv(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in data {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

pub fn cgroup_roots() -> Vec<PathBuf> {
    let base = Path::new("/sys/fs/cgroup");
    if base.join("cgroup.controllers").exists() {
        return vec![base.to_path_buf()];
    }
    ["systemd", "unified"]
        .iter()
        .map(|h| base.join(h))
        .filter(|p| p.join("cgroup.procs").exists())
        .collect()
}

fn prepare() -> Result<Env, String> {
    if std::env::var("SYSTEMDIFY_LIVE").is_ok_and(|v| v == "0" || v == "skip") {
        return Err("SYSTEMDIFY_LIVE=0 asks to skip them".into());
    }
    if euid() != Some(0) {
        return Err("they need root (namespaces, cgroups, mounts)".into());
    }
    for tool in [
        "unshare",
        "nsenter",
        "setsid",
        "timeout",
        "apt-get",
        "dpkg-deb",
        "mmdebstrap",
    ] {
        if !have(tool) {
            return Err(format!(
                "`{tool}` is not installed (apt-get install --no-install-recommends mmdebstrap \
                 util-linux coreutils)"
            ));
        }
    }
    let cgroup_roots = cgroup_roots();
    if cgroup_roots.is_empty() {
        return Err("no cgroup hierarchy under /sys/fs/cgroup".into());
    }
    let started = Instant::now();
    let cache = cache_dir();
    std::fs::create_dir_all(&cache).map_err(|e| format!("{}: {e}", cache.display()))?;
    let lock = lock_file(&cache.join("lock"))?;
    sweep_stale_cgroups(&cgroup_roots);
    let nspawn_root = prepare_nspawn(&cache)?;
    let nspawn_lib = std::fs::read_dir(nspawn_root.join("usr/lib"))
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path().join("systemd"))
        .find(|d| {
            std::fs::read_dir(d).is_ok_and(|rd| {
                rd.flatten().any(|f| {
                    f.file_name()
                        .to_string_lossy()
                        .starts_with("libsystemd-shared-")
                })
            })
        })
        .ok_or("the unpacked libsystemd-shared has no libsystemd-shared-*.so")?;
    let (rootfs, built_rootfs) = prepare_rootfs(&cache)?;
    drop(lock);
    let recorder = build_recorder()?;
    Ok(Env {
        rootfs,
        nspawn_root,
        nspawn_lib,
        recorder,
        cgroup_roots,
        prepare_secs: started.elapsed().as_secs_f64(),
        built_rootfs,
    })
}

fn prepare_nspawn(cache: &Path) -> Result<PathBuf, String> {
    let dir = cache.join("nspawn");
    if dir.join(".complete").exists() {
        return Ok(dir.join("root"));
    }
    let tmp = cache.join(format!("nspawn.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("debs")).map_err(|e| e.to_string())?;
    let download = || {
        run_checked(
            Command::new("timeout")
                .args(["300", "apt-get", "download", "-q"])
                .args(["systemd-container", "libsystemd-shared"])
                .current_dir(tmp.join("debs")),
            "apt-get download systemd-container libsystemd-shared",
        )
    };
    if download().is_err() {
        // Package lists older than the mirror: refresh them once.
        run_checked(
            Command::new("timeout").args(["300", "apt-get", "update", "-q"]),
            "apt-get update",
        )?;
        download()?;
    }
    for deb in std::fs::read_dir(tmp.join("debs")).map_err(|e| e.to_string())? {
        let deb = deb.map_err(|e| e.to_string())?.path();
        run_checked(
            Command::new("dpkg-deb")
                .arg("-x")
                .arg(&deb)
                .arg(tmp.join("root")),
            "dpkg-deb -x",
        )?;
    }
    let _ = std::fs::remove_dir_all(tmp.join("debs"));
    std::fs::write(tmp.join(".complete"), "").map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&tmp, &dir).map_err(|e| e.to_string())?;
    Ok(dir.join("root"))
}

/// Steps run in the finished root (mmdebstrap `--customize-hook`s).
const CUSTOMIZE: &[&str] = &[
    "chroot \"$1\" systemctl mask apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
     e2scrub_all.timer fstrim.timer e2scrub_reap.service",
    // The cron tests start cron and anacron themselves, after installing the crontabs.
    "chroot \"$1\" systemctl disable cron.service",
    "chroot \"$1\" systemctl mask anacron.service anacron.timer",
    "chroot \"$1\" systemctl set-default multi-user.target",
    // A fresh machine id per boot.
    "rm -f \"$1/etc/machine-id\" && touch \"$1/etc/machine-id\"",
    // The legacy side plays a sysvinit host: `/etc/init.d/NAME start` runs the script, as it
    // does where /run/systemd/system does not exist, instead of redirecting to systemctl.
    "rm -f \"$1/usr/lib/lsb/init-functions.d/40-systemd\"",
];

fn prepare_rootfs(cache: &Path) -> Result<(PathBuf, bool), String> {
    let key = format!("{}\n{RECIPE}\n{}", PACKAGES.join(","), CUSTOMIZE.join("\n"));
    build_rootfs(cache, &key, PACKAGES, CUSTOMIZE, &[])
}

/// The environment of `base` with another container root: the cached root's packages plus
/// `packages`, its customize hooks then `customize` (each run with the root as `$1`), and
/// `options` for mmdebstrap; built once and cached beside the cached root (its key: all of
/// these and `recipe`), under the same lock. For tests that need real packages installed as
/// their maintainer scripts install them.
pub fn env_with_packages(
    base: &Env,
    packages: &[&str],
    customize: &[&str],
    options: &[&str],
    recipe: &str,
) -> Result<Env, String> {
    let started = Instant::now();
    let all_packages: Vec<&str> = PACKAGES.iter().chain(packages).copied().collect();
    let all_customize: Vec<&str> = CUSTOMIZE.iter().chain(customize).copied().collect();
    let key = format!(
        "{}\n{RECIPE}\n{}\n{recipe}\n{}",
        all_packages.join(","),
        all_customize.join("\n"),
        options.join("\n")
    );
    let cache = cache_dir();
    let lock = lock_file(&cache.join("lock"))?;
    let (rootfs, built) = build_rootfs(&cache, &key, &all_packages, &all_customize, options)?;
    drop(lock);
    Ok(Env {
        rootfs,
        prepare_secs: started.elapsed().as_secs_f64(),
        built_rootfs: built,
        ..base.clone()
    })
}

/// Builds (once) the root whose cache key is `key`; returns it and whether it was built now.
fn build_rootfs(
    cache: &Path,
    key: &str,
    packages: &[&str],
    customize: &[&str],
    options: &[&str],
) -> Result<(PathBuf, bool), String> {
    let name = format!("rootfs-{:016x}", fnv(key.as_bytes()));
    let dir = cache.join(&name);
    let marker = cache.join(format!("{name}.complete"));
    let used = cache.join(format!("{name}.used"));
    if marker.exists() && dir.is_dir() {
        let _ = std::fs::write(&used, "");
        return Ok((dir, false));
    }
    // Roots of other recipes go once unused for a day (another checkout may still boot one).
    let day = Duration::from_secs(24 * 3600);
    for e in std::fs::read_dir(cache)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        let n = e.file_name().to_string_lossy().into_owned();
        let Some(base) = n.strip_prefix("rootfs-").map(|r| &r[..r.len().min(16)]) else {
            continue;
        };
        let base = format!("rootfs-{base}");
        if base == name {
            continue;
        }
        let used = [".used", ".complete", ""]
            .iter()
            .filter_map(|suffix| std::fs::metadata(cache.join(format!("{base}{suffix}"))).ok())
            .filter_map(|m| m.modified().ok())
            .max();
        if used.is_some_and(|t| t.elapsed().unwrap_or_default() < day) {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            let _ = std::fs::remove_dir_all(&p);
        } else {
            let _ = std::fs::remove_file(&p);
        }
    }
    let tmp = cache.join(format!("{name}.tmp"));
    let _ = std::fs::remove_dir_all(&tmp);
    // A registry that stalls must not hang the test run.
    let mut cmd = Command::new("timeout");
    cmd.args([
        "900",
        "mmdebstrap",
        "--mode=root",
        "--variant=minbase",
        "--quiet",
    ])
    .arg(format!("--include={}", packages.join(",")))
    .args(options);
    for p in [
        "/usr/share/man/*",
        "/usr/share/doc/*",
        "/usr/share/locale/*",
        "/usr/share/info/*",
    ] {
        cmd.arg(format!("--dpkgopt=path-exclude={p}"));
    }
    for hook in customize {
        cmd.arg(format!("--customize-hook={hook}"));
    }
    cmd.arg("bookworm").arg(&tmp);
    run_checked(&mut cmd, "mmdebstrap (building the container root)")?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&tmp, &dir).map_err(|e| e.to_string())?;
    std::fs::write(&marker, key).map_err(|e| e.to_string())?;
    let _ = std::fs::write(&used, "");
    Ok((dir, true))
}

/// Compiles `recorder.rs` into a static binary (once per source version).
fn build_recorder() -> Result<PathBuf, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/live/recorder.rs");
    let text = std::fs::read(&src).map_err(|e| format!("{}: {e}", src.display()))?;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("live");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let out = dir.join(format!("recorder-{:016x}", fnv(&text)));
    if out.exists() {
        return Ok(out);
    }
    let _lock = lock_file(&dir.join("lock"))?;
    if out.exists() {
        return Ok(out);
    }
    // The toolchain that builds the tests: $RUSTC, the rustc beside this build's cargo, or PATH.
    let beside_cargo = Path::new(env!("CARGO")).with_file_name("rustc");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| {
        if beside_cargo.is_file() {
            beside_cargo.display().to_string()
        } else {
            "rustc".into()
        }
    });
    let tmp = dir.join(format!("recorder.tmp-{}", std::process::id()));
    run_checked(
        Command::new(rustc)
            .args([
                "--edition",
                "2024",
                "-O",
                "-C",
                "strip=symbols",
                "-C",
                "target-feature=+crt-static",
            ])
            .arg(&src)
            .arg("-o")
            .arg(&tmp),
        "rustc tests/live/recorder.rs",
    )?;
    std::fs::rename(&tmp, &out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Removes cgroups that containers of dead test processes left (a test process killed with
/// SIGKILL cannot run its guards; its containers were ended by their `timeout` cap).
fn sweep_stale_cgroups(roots: &[PathBuf]) {
    for root in roots {
        let Ok(entries) = std::fs::read_dir(root.join(CGROUP_PREFIX)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let owner = name.split('-').nth(1).and_then(|p| p.parse::<u32>().ok());
            let alive = owner.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
            if e.path().is_dir() && !alive {
                kill_cgroup(&e.path());
                remove_cgroup(&e.path());
            }
        }
    }
}

fn cgroup_pids(dir: &Path) -> Vec<u32> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(t) = std::fs::read_to_string(d.join("cgroup.procs")) {
            out.extend(t.lines().filter_map(|l| l.trim().parse::<u32>().ok()));
        }
        if let Ok(rd) = std::fs::read_dir(&d) {
            stack.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
        }
    }
    out
}

fn kill_cgroup(dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let pids = cgroup_pids(dir);
        if pids.is_empty() || Instant::now() > deadline {
            return;
        }
        for p in pids {
            signal(p, 9);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn remove_cgroup(dir: &Path) {
    let mut dirs = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(rd) = std::fs::read_dir(&d) {
            stack.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
        }
        dirs.push(d);
    }
    // Deepest first; a cgroup whose last process is still exiting refuses for a moment.
    for d in dirs.iter().rev() {
        for _ in 0..100 {
            if std::fs::remove_dir(d).is_ok() || !d.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// The launcher: joins its own cgroup in every hierarchy, then in a private mount namespace
/// mounts a tmpfs on /run and the overlay root inside it, and becomes systemd-nspawn.
const LAUNCH: &str = r#"set -eu
for root in $LIVE_CGROUP_ROOTS; do
  d="$root/$LIVE_CGROUP_PREFIX/$LIVE_NAME"
  mkdir -p "$d" || mkdir -p "$d"
  echo $$ > "$d/cgroup.procs"
done
exec unshare --mount --propagation private /bin/sh -eu -c '
  mount -t tmpfs -o mode=0755,size=256m systemdify-live /run
  mkdir -p /run/systemdify-live/upper /run/systemdify-live/work /run/systemdify-live/root
  mount -t overlay systemdify-live \
    -o "lowerdir=$LIVE_ROOTFS,upperdir=/run/systemdify-live/upper,workdir=/run/systemdify-live/work" \
    /run/systemdify-live/root
  export LD_LIBRARY_PATH="$LIVE_NSPAWN_LIB"
  exec "$LIVE_NSPAWN/usr/bin/systemd-nspawn" --quiet --register=no --keep-unit --boot \
    -M "$LIVE_NAME" -D /run/systemdify-live/root --private-network --link-journal=no \
    --resolv-conf=off --timezone=off --console=pipe
'
"#;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Output of a command run inside.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

pub struct Container {
    pub name: String,
    launcher: Option<Child>,
    /// Host pid of the container's PID 1.
    pub leader: u32,
    cgroups: Vec<PathBuf>,
    /// Seconds from launch to `running`/`degraded`.
    pub boot_secs: f64,
    log: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Container {
    /// Boots a container; `label` names it (with this process's pid and a counter, so that
    /// parallel tests never share a name). `cap` is its longest possible life.
    pub fn boot(env: &Env, label: &str, cap: Duration) -> Container {
        Container::boot_with(env, label, cap, &[])
    }

    /// Boots a container whose root has `layers` (read-only directories, e.g. a tool built
    /// once in the live cache) above the cached root, first on top: overlay lower layers, so
    /// nothing is copied and nothing is written to them.
    pub fn boot_with(env: &Env, label: &str, cap: Duration, layers: &[&Path]) -> Container {
        let mut lower: Vec<String> = layers.iter().map(|l| l.display().to_string()).collect();
        lower.push(env.rootfs.display().to_string());
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let clean: String = label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .take(30)
            .collect();
        let name = format!("sdl-{}-{n}-{clean}", std::process::id());
        let tmp = tempfile::tempdir().expect("tempdir");
        let log = tmp.path().join("console.log");
        let console = std::fs::File::create(&log).expect("console log");
        let roots: Vec<String> = env
            .cgroup_roots
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let started = Instant::now();
        let launcher = at_nice_zero(&mut Command::new("setsid"))
            .args(["timeout", "-k", "15"])
            .arg(cap.as_secs().max(1).to_string())
            .args(["/bin/sh", "-c", LAUNCH])
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("LIVE_NAME", &name)
            .env("LIVE_ROOTFS", lower.join(":"))
            .env("LIVE_NSPAWN", &env.nspawn_root)
            .env("LIVE_NSPAWN_LIB", &env.nspawn_lib)
            .env("LIVE_CGROUP_ROOTS", roots.join(" "))
            .env("LIVE_CGROUP_PREFIX", CGROUP_PREFIX)
            .stdin(Stdio::null())
            .stdout(console.try_clone().expect("dup"))
            .stderr(console)
            .spawn()
            .expect("spawning the container launcher");
        let cgroups = env
            .cgroup_roots
            .iter()
            .map(|r| r.join(CGROUP_PREFIX).join(&name))
            .collect();
        let mut c = Container {
            name,
            launcher: Some(launcher),
            leader: 0,
            cgroups,
            boot_secs: 0.0,
            log,
            _tmp: tmp,
        };
        c.leader = c.find_leader();
        c.wait_running();
        c.boot_secs = started.elapsed().as_secs_f64();
        c.setup(env);
        c
    }

    fn console(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn launcher_pid(&self) -> u32 {
        self.launcher.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// The container's PID 1 as the host sees it: the child of nspawn (itself the child of
    /// `timeout`) that runs in another pid namespace.
    fn find_leader(&mut self) -> u32 {
        let own_ns = std::fs::read_link("/proc/self/ns/pid").ok();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = self.launcher.as_mut().map(|c| c.try_wait()) {
                panic!(
                    "container {} ended during boot ({status}):\n{}",
                    self.name,
                    self.console()
                );
            }
            for nspawn in children(self.launcher_pid()) {
                for pid in children(nspawn) {
                    let ns = std::fs::read_link(format!("/proc/{pid}/ns/pid")).ok();
                    if ns.is_some() && ns != own_ns {
                        return pid;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("container {} did not start:\n{}", self.name, self.console());
    }

    fn wait_running(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last = String::new();
        while Instant::now() < deadline {
            let r = self.exec(&["systemctl", "is-system-running", "--wait"], None);
            last = r.stdout.trim().to_string();
            if last == "running" || last == "degraded" {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!(
            "container {}: system state {last:?} after 60 s:\n{}",
            self.name,
            self.console()
        );
    }

    fn setup(&self, env: &Env) {
        let bin = std::fs::read(&env.recorder).expect("recorder binary");
        self.write(RECORDER, &bin, 0o755);
        self.sh_ok(&format!(
            "mkdir -p {RECORDS} && chmod 1777 {RECORDS} && : > /etc/live-recorder.conf"
        ));
    }

    /// Runs a command inside (all namespaces of PID 1, a clean environment, at most 120 s),
    /// from the cgroup `<name>/exec` so that the guard finds anything it leaves. Its output is
    /// captured: commands that leave daemons behind must send theirs to a file (see
    /// [`Container::run_as_init`]).
    pub fn exec(&self, argv: &[&str], stdin: Option<&[u8]>) -> Run {
        let cg: Vec<String> = self
            .cgroups
            .iter()
            .map(|c| c.join("exec").display().to_string())
            .collect();
        let mut cmd = Command::new("/bin/sh");
        at_nice_zero(&mut cmd);
        cmd.arg("-c")
            .arg(
                "for d in $LIVE_EXEC_CGROUPS; do mkdir -p \"$d\"; echo $$ > \"$d/cgroup.procs\"; done; \
                 exec nsenter -t \"$LIVE_LEADER\" -a env -i PATH=\"$LIVE_PATH\" timeout -k 5 120 \"$@\"",
            )
            .arg("sh")
            .args(argv)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("LIVE_EXEC_CGROUPS", cg.join(" "))
            .env("LIVE_LEADER", self.leader.to_string())
            .env("LIVE_PATH", INNER_PATH)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        let mut child = cmd.spawn().expect("nsenter");
        if let Some(data) = stdin {
            let mut w = child.stdin.take().unwrap();
            w.write_all(data).expect("stdin");
        }
        let out = child.wait_with_output().expect("nsenter wait");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn sh(&self, script: &str) -> Run {
        self.exec(&["/bin/sh", "-c", script], None)
    }

    pub fn sh_ok(&self, script: &str) -> String {
        let r = self.sh(script);
        assert!(
            r.ok(),
            "in {}: `{script}` failed ({:?}):\n{}{}",
            self.name,
            r.code,
            r.stdout,
            r.stderr
        );
        r.stdout
    }

    /// Runs a script the way an init system would: as a child of the container's PID 1 (a
    /// transient service that leaves the processes it starts alone when the script exits, as
    /// init did), so that it gets the same capability bounding set, seccomp filter and
    /// `no_new_privs` as every other process of the container. The script starts from
    /// systemd's environment: clear it (`env -i`) for anything compared. Output goes to a log
    /// file, returned with the exit code.
    pub fn run_as_init(&self, script: &str) -> (Option<i32>, String) {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        self.run_as_init_unit(script, &format!("live-init-{n}"), true)
    }

    /// [`Container::run_as_init`] as the transient unit `unit`; with `collect` false the unit
    /// stays loaded after the script exits, so its cgroup keeps (and shows) what it left.
    pub fn run_as_init_unit(
        &self,
        script: &str,
        unit: &str,
        collect: bool,
    ) -> (Option<i32>, String) {
        let log = format!("/var/log/live-run-{unit}.log");
        let unit_arg = format!("--unit={unit}");
        let output = format!("StandardOutput=file:{log}");
        let mut argv = vec!["systemd-run", "--quiet", "--wait"];
        if collect {
            argv.push("--collect");
        }
        argv.extend([
            "--service-type=exec",
            &unit_arg,
            "-p",
            "KillMode=process",
            "-p",
            "StandardInput=null",
            "-p",
            &output,
            "-p",
            "StandardError=inherit",
            "/bin/sh",
            "-c",
            script,
        ]);
        let r = self.exec(&argv, None);
        let text = self.read(&log).unwrap_or_default();
        (
            r.code,
            String::from_utf8_lossy(&text).into_owned() + &r.stderr,
        )
    }

    /// Writes a file inside (parent directories created).
    pub fn write(&self, path: &str, data: &[u8], mode: u32) {
        let r = self.exec(
            &[
                "/bin/sh",
                "-c",
                "mkdir -p -- \"$(dirname -- \"$1\")\" && cat > \"$1\" && chmod \"$2\" \"$1\"",
                "sh",
                path,
                &format!("{mode:o}"),
            ],
            Some(data),
        );
        assert!(r.ok(), "writing {path} in {}: {}", self.name, r.stderr);
    }

    pub fn read(&self, path: &str) -> Option<Vec<u8>> {
        let cg: Vec<String> = self
            .cgroups
            .iter()
            .map(|c| c.join("exec").display().to_string())
            .collect();
        let out = Command::new("/bin/sh")
            .arg("-c")
            .arg(
                "for d in $LIVE_EXEC_CGROUPS; do mkdir -p \"$d\"; echo $$ > \"$d/cgroup.procs\"; done; \
                 exec nsenter -t \"$LIVE_LEADER\" -a cat -- \"$1\"",
            )
            .arg("sh")
            .arg(path)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("LIVE_EXEC_CGROUPS", cg.join(" "))
            .env("LIVE_LEADER", self.leader.to_string())
            .stdin(Stdio::null())
            .output()
            .expect("nsenter cat");
        out.status.success().then_some(out.stdout)
    }

    pub fn systemctl(&self, args: &[&str]) -> Run {
        let mut argv = vec!["systemctl", "--no-pager"];
        argv.extend_from_slice(args);
        self.exec(&argv, None)
    }

    /// `systemctl show -p …` as a map.
    pub fn show(&self, unit: &str, props: &[&str]) -> BTreeMap<String, String> {
        let r = self.systemctl(&["show", unit, "-p", &props.join(",")]);
        r.stdout
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    pub fn journal(&self, unit: &str) -> String {
        self.exec(
            &["journalctl", "--no-pager", "-q", "-o", "cat", "-u", unit],
            None,
        )
        .stdout
    }

    /// Installs units (and `env/*.env` files) from a directory written by `systemdify convert
    /// -o`, at `/etc/systemd/system` (and `/etc/systemdify/env`), then `daemon-reload`.
    pub fn install_units(&self, dir: &Path) {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("units dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                let data = std::fs::read(&p).unwrap();
                if let Some(envfile) = rel.strip_prefix("env/") {
                    self.write(&format!("/etc/systemdify/env/{envfile}"), &data, 0o600);
                } else if is_unit_file(&rel) {
                    self.write(&format!("/etc/systemd/system/{rel}"), &data, 0o644);
                }
            }
        }
        self.daemon_reload();
    }

    pub fn daemon_reload(&self) {
        let r = self.systemctl(&["daemon-reload"]);
        assert!(r.ok(), "daemon-reload in {}: {}", self.name, r.stderr);
    }

    /// Creates the users and groups of a host tree's `/etc/passwd` and `/etc/group` that the
    /// container lacks (same ids), with their home directories (except under /run and
    /// /nonexistent); members of groups are added as supplementary groups. An id the container
    /// already gives another name is shared (`-o`): the host tree's ids are what is compared.
    pub fn add_accounts(&self, passwd: &str, group: &str) {
        let mut script = String::from("set -e\n");
        let q = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
        let mut members = Vec::new();
        for l in group.lines().filter(|l| !l.trim().is_empty()) {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 3 {
                continue;
            }
            script.push_str(&format!(
                "getent group {n} >/dev/null || groupadd -o -g {g} {n}\n",
                n = q(f[0]),
                g = q(f[2])
            ));
            if let Some(m) = f.get(3) {
                for u in m.split(',').filter(|u| !u.is_empty()) {
                    members.push((u.to_string(), f[0].to_string()));
                }
            }
        }
        for l in passwd.lines().filter(|l| !l.trim().is_empty()) {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 7 {
                continue;
            }
            let (name, uid, gid, gecos, home, shell) = (f[0], f[2], f[3], f[4], f[5], f[6]);
            script.push_str(&format!(
                "if ! getent passwd {n} >/dev/null; then\n\
                 \x20 getent group {g} >/dev/null || groupadd -g {g} {n}\n\
                 \x20 useradd -o -M -u {u} -g {g} -c {c} -d {h} -s {s} {n}\n\
                 fi\n",
                n = q(name),
                u = q(uid),
                g = q(gid),
                c = q(gecos),
                h = q(home),
                s = q(shell)
            ));
            if home.starts_with('/') && !home.starts_with("/run") && home != "/nonexistent" {
                script.push_str(&format!(
                    "if [ ! -e {h} ]; then mkdir -p {h} && chown {u}:{g} {h}; fi\n",
                    h = q(home),
                    u = q(uid),
                    g = q(gid)
                ));
            }
        }
        for (u, g) in members {
            script.push_str(&format!("usermod -a -G {} {}\n", q(&g), q(&u)));
        }
        self.sh_ok(&script);
    }

    /// Puts a copy of the recorder at `path`, acting as `mode` (see `recorder.rs`).
    pub fn stand_in(&self, path: &str, mode: &str) {
        self.sh_ok(&format!(
            "mkdir -p \"$(dirname '{path}')\" && rm -f '{path}' && cp {RECORDER} '{path}' && \
             chmod 0755 '{path}' && echo '{path} {mode}' >> /etc/live-recorder.conf"
        ));
    }

    /// Every record written so far, oldest first.
    pub fn records(&self) -> Vec<Proc> {
        let out = self.sh_ok(&format!(
            "cd {RECORDS} && for f in $(ls | sort); do case $f in *.rec) echo \"== $f\"; cat \"$f\";; esac; done"
        ));
        let mut recs = Vec::new();
        let mut cur: Option<BTreeMap<String, Vec<u8>>> = None;
        for line in out.lines() {
            if let Some(file) = line.strip_prefix("== ") {
                if let Some(m) = cur.take() {
                    recs.push(Proc::from_items(&m));
                }
                let mut m = BTreeMap::new();
                m.insert(
                    "when".to_string(),
                    file.split('-').next().unwrap_or("0").as_bytes().to_vec(),
                );
                cur = Some(m);
            } else if let (Some(m), Some((k, v))) = (cur.as_mut(), line.split_once(' ')) {
                m.insert(k.to_string(), unhex(v));
            }
        }
        if let Some(m) = cur {
            recs.push(Proc::from_items(&m));
        }
        recs
    }

    pub fn clear_records(&self) {
        self.sh_ok(&format!("rm -f {RECORDS}/*.rec"));
    }

    /// A live process inside, read from its `/proc/<pid>` (container pid).
    pub fn process(&self, pid: u32) -> Option<Proc> {
        let r = self.exec(
            &[
                "/bin/sh",
                "-c",
                r#"cd /proc/$1 2>/dev/null || exit 1
h() { od -An -tx1 -v | tr -d ' \n'; }
for f in cmdline environ status limits stat; do printf '%s ' $f; h < $f; echo; done
for l in cwd exe fd/0 fd/1 fd/2; do printf '%s ' $(echo $l | tr -d /); readlink $l | tr -d '\n' | h; echo; done"#,
                "sh",
                &pid.to_string(),
            ],
            None,
        );
        if !r.ok() {
            return None;
        }
        let m: BTreeMap<String, Vec<u8>> = r
            .stdout
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(k, v)| (k.to_string(), unhex(v)))
            .collect();
        Some(Proc::from_items(&m))
    }

    /// Container pids of the live processes whose executable is one of `paths`.
    pub fn pids_of(&self, paths: &[String]) -> Vec<u32> {
        let list = paths.join(" ");
        let out = self.sh_ok(&format!(
            "for p in /proc/[0-9]*; do e=$(readlink $p/exe 2>/dev/null) || continue; \
             case ' {list} ' in *\" $e \"*) echo ${{p#/proc/}};; esac; done"
        ));
        let mut v: Vec<u32> = out.lines().filter_map(|l| l.trim().parse().ok()).collect();
        v.sort();
        v
    }

    /// What to look for after the container is gone: its name, cgroups, and the host pids and
    /// mount namespaces of its launcher, nspawn and PID 1.
    pub fn traces(&self) -> Traces {
        let mut pids = vec![self.leader];
        pids.extend(children(self.launcher_pid()));
        let mount_namespaces = pids
            .iter()
            .filter_map(|p| std::fs::read_link(format!("/proc/{p}/ns/mnt")).ok())
            .collect();
        Traces {
            name: self.name.clone(),
            cgroups: self.cgroups.clone(),
            pids,
            mount_namespaces,
        }
    }

    fn teardown(&mut self) {
        if let Some(mut child) = self.launcher.take() {
            // nspawn halts the container on SIGTERM; the whole session on SIGKILL after that.
            for nspawn in children(child.id()) {
                signal(nspawn, 15);
            }
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            if !matches!(child.try_wait(), Ok(Some(_))) {
                signal(child.id(), 9);
                let pgid = -(child.id() as i32);
                unsafe {
                    kill(pgid, 9);
                }
                let _ = child.wait();
            }
        }
        for cg in &self.cgroups {
            kill_cgroup(cg);
        }
        for cg in &self.cgroups {
            remove_cgroup(cg);
            if let Some(parent) = cg.parent() {
                let _ = std::fs::remove_dir(parent);
            }
        }
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        self.teardown();
    }
}

/// A unit (`x.service`) or a drop-in (`x.service.d/y.conf`), as opposed to the report, the
/// manifest or the scripts an output directory also holds.
fn is_unit_file(rel: &str) -> bool {
    const KINDS: &[&str] = &[
        "service",
        "socket",
        "timer",
        "path",
        "target",
        "slice",
        "mount",
        "automount",
        "scope",
    ];
    let unit = |name: &str| {
        name.rsplit_once('.')
            .is_some_and(|(stem, kind)| !stem.is_empty() && KINDS.contains(&kind))
    };
    match rel.split_once('/') {
        None => unit(rel),
        Some((dir, file)) => {
            dir.strip_suffix(".d").is_some_and(unit)
                && file.ends_with(".conf")
                && !file.contains('/')
        }
    }
}

fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for t in tasks.flatten() {
            if let Ok(c) = std::fs::read_to_string(t.path().join("children")) {
                out.extend(c.split_whitespace().filter_map(|p| p.parse::<u32>().ok()));
            }
        }
    }
    out
}

fn unhex(s: &str) -> Vec<u8> {
    let b = s.trim().as_bytes();
    (0..b.len() / 2)
        .filter_map(|i| {
            u8::from_str_radix(std::str::from_utf8(&b[2 * i..2 * i + 2]).ok()?, 16).ok()
        })
        .collect()
}

/// What a process was given, from a record or from `/proc`.
#[derive(Debug, Clone, Default)]
pub struct Proc {
    pub pid: u32,
    pub argv: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub cwd: String,
    pub exe: String,
    /// real, effective, saved, filesystem
    pub uid: Vec<u32>,
    pub gid: Vec<u32>,
    pub groups: Vec<u32>,
    pub umask: String,
    pub nice: i64,
    /// Limit name → "soft hard"
    pub limits: BTreeMap<String, String>,
    /// status lines compared as they are (capabilities, no_new_privs, seccomp)
    pub status: BTreeMap<String, String>,
    pub fds: Vec<String>,
    pub mode: String,
    pub stdin: Option<Vec<u8>>,
    /// When a record was written (nanoseconds since the epoch; 0 for a live process).
    pub when: u128,
}

impl Proc {
    fn from_items(m: &BTreeMap<String, Vec<u8>>) -> Proc {
        let text =
            |k: &str| String::from_utf8_lossy(m.get(k).map(|v| &v[..]).unwrap_or(b"")).into_owned();
        let split0 = |k: &str| -> Vec<String> {
            let t = text(k);
            t.split('\0')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        let mut p = Proc {
            argv: split0("cmdline"),
            env: split0("environ")
                .into_iter()
                .filter_map(|kv| {
                    kv.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                })
                .collect(),
            cwd: text("cwd"),
            exe: text("exe"),
            fds: (0..3).map(|n| text(&format!("fd{n}"))).collect(),
            mode: text("mode"),
            stdin: m.get("stdin").cloned(),
            when: text("when").parse().unwrap_or(0),
            ..Proc::default()
        };
        for line in text("status").lines() {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let v = v.trim();
            let nums = || {
                v.split_whitespace()
                    .filter_map(|x| x.parse().ok())
                    .collect()
            };
            match k {
                "Pid" => p.pid = v.parse().unwrap_or(0),
                "Uid" => p.uid = nums(),
                "Gid" => p.gid = nums(),
                "Groups" => p.groups = nums(),
                "Umask" => p.umask = v.to_string(),
                "CapInh" | "CapPrm" | "CapEff" | "CapBnd" | "CapAmb" | "NoNewPrivs" | "Seccomp" => {
                    p.status.insert(k.to_string(), v.to_string());
                }
                _ => {}
            }
        }
        p.groups.sort();
        // stat: "pid (comm) state ppid …": nice is field 19, counted after the comm.
        let stat = text("stat");
        if let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) {
            p.nice = rest
                .split_whitespace()
                .nth(16)
                .and_then(|x| x.parse().ok())
                .unwrap_or(0);
        }
        for line in text("limits").lines().skip(1) {
            // "Max open files            1024                 524288               files"
            let name = line.get(..26).unwrap_or("").trim().to_string();
            let rest: Vec<&str> = line.get(26..).unwrap_or("").split_whitespace().collect();
            if name.is_empty() || rest.len() < 2 {
                continue;
            }
            p.limits.insert(name, format!("{} {}", rest[0], rest[1]));
        }
        p
    }
}

/// See [`Container::traces`].
#[derive(Debug, Clone)]
pub struct Traces {
    pub name: String,
    pub cgroups: Vec<PathBuf>,
    pub pids: Vec<u32>,
    pub mount_namespaces: Vec<PathBuf>,
}

impl Traces {
    /// Everything of the container still on the host: processes (by pid, by cgroup, by name on
    /// their command line, by mount namespace), cgroup directories and mounts.
    pub fn left(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.pids {
            if let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat"))
                && !stat.contains(") Z ")
            {
                out.push(format!("process {p} still runs: {}", stat.trim()));
            }
        }
        let own = std::process::id().to_string();
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let pid = e.file_name().to_string_lossy().into_owned();
            if !pid.chars().all(|c| c.is_ascii_digit()) || pid == own {
                continue;
            }
            let read = |f: &str| std::fs::read(e.path().join(f)).unwrap_or_default();
            let cgroup = String::from_utf8_lossy(&read("cgroup")).into_owned();
            let cmdline = String::from_utf8_lossy(&read("cmdline")).replace('\0', " ");
            let zombie = String::from_utf8_lossy(&read("stat")).contains(") Z ");
            if zombie {
                continue;
            }
            if cgroup.contains(&format!("{CGROUP_PREFIX}/{}", self.name)) {
                out.push(format!(
                    "process {pid} in the container's cgroup: {cmdline}"
                ));
            } else if cmdline.contains(&self.name) {
                out.push(format!("process {pid} names the container: {cmdline}"));
            }
            // Namespace inode numbers are reused: one of another container's is not ours.
            let other_container = cgroup.contains(&format!("{CGROUP_PREFIX}/"))
                && !cgroup.contains(&format!("{CGROUP_PREFIX}/{}", self.name));
            if let Ok(ns) = std::fs::read_link(e.path().join("ns/mnt"))
                && self.mount_namespaces.contains(&ns)
                && !other_container
            {
                out.push(format!(
                    "process {pid} holds the container's mount namespace: {cmdline}"
                ));
            }
        }
        for cg in &self.cgroups {
            if cg.exists() {
                out.push(format!("cgroup {} is still there", cg.display()));
            }
        }
        let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        for m in mounts
            .lines()
            .filter(|l| l.contains(CGROUP_PREFIX) || l.contains(&self.name))
        {
            out.push(format!("mount on the host: {m}"));
        }
        out
    }

    /// Removes the cgroups of a container whose guard never ran.
    pub fn remove_cgroups(&self) {
        for cg in &self.cgroups {
            kill_cgroup(cg);
            remove_cgroup(cg);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unit_files_of_an_output_directory() {
        for yes in [
            "a.service",
            "x@.service",
            "x@0.service.d/10-env.conf",
            "b.timer",
        ] {
            assert!(super::is_unit_file(yes), "{yes}");
        }
        for no in [
            "report.json",
            "apply.sh",
            ".systemdify-manifest",
            "env/a.env",
            "a.service.d/x",
        ] {
            assert!(!super::is_unit_file(no), "{no}");
        }
    }
}
