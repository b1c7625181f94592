//! `scan` finds PM2's `dump.pm2` files (`/root/.pm2`, `/home/*/.pm2`, every home in
//! `/etc/passwd`), and a dump's apps run as the user whose home holds it.

use std::path::Path;

fn write(root: &Path, path: &str, text: &str) {
    let local = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(local.parent().unwrap()).unwrap();
    std::fs::write(local, text).unwrap();
}

fn entry(name: &str, home: &str) -> String {
    format!(
        r#"{{"name": "{name}", "pm_exec_path": "/srv/{name}.js", "pm_cwd": "/srv", "exec_interpreter": "node",
            "exec_mode": "fork_mode", "node_args": [], "args": [], "autorestart": true, "NODE_APP_INSTANCE": 0,
            "pm_out_log_path": "{home}/.pm2/logs/{name}-out.log", "pm_err_log_path": "{home}/.pm2/logs/{name}-error.log",
            "env": {{"PM2_HOME": "{home}/.pm2", "SHELL": "/bin/bash", "NODE_ENV": "production"}}, "status": "online"}}"#
    )
}

#[test]
fn scan_converts_every_users_dump() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\napp:x:990:990::/var/lib/app:/usr/sbin/nologin\n",
    );
    write(root, "/etc/group", "root:x:0:\nalice:x:1000:\napp:x:990:\n");
    write(root, "/usr/bin/node", "#!/bin/sh\n");
    write(
        root,
        "/root/.pm2/dump.pm2",
        &format!("[{}]", entry("rootapp", "/root")),
    );
    write(
        root,
        "/home/alice/.pm2/dump.pm2",
        &format!("[{}]", entry("aliceapp", "/home/alice")),
    );
    write(
        root,
        "/var/lib/app/.pm2/dump.pm2",
        &format!("[{}]", entry("svc", "/var/lib/app")),
    );
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        ["systemdify", "scan", "--root", &root.to_string_lossy()],
        &mut systemdify::cli::Streams {
            stdin: &mut std::io::empty(),
            stdout: &mut out,
            stderr: &mut err,
        },
    );
    let out = String::from_utf8(out).unwrap();
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    for (unit, user) in [
        ("rootapp.service", "root"),
        ("aliceapp.service", "alice"),
        ("svc.service", "app"),
    ] {
        let at = out
            .find(&format!("# ==> {unit} <=="))
            .unwrap_or_else(|| panic!("{unit} missing:\n{out}"));
        let body = &out[at..];
        let body = &body[..body[1..].find("# ==> ").map_or(body.len(), |e| e + 1)];
        assert!(body.contains(&format!("User={user}\n")), "{unit}:\n{body}");
        assert!(
            !body.contains("SHELL"),
            "{unit} keeps the login shell's SHELL:\n{body}"
        );
    }
}
