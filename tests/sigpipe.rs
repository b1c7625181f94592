//! Writing into a closed pipe (`systemdify convert … | head -1`) ends quietly, as coreutils do:
//! killed by SIGPIPE (shell status 141), no message.

#[test]
fn writing_into_a_closed_pipe_ends_quietly_by_sigpipe() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("crontab");
    let lines: String = (0..2000)
        .map(|i| format!("{} * * * * /usr/bin/job{i}\n", i % 60))
        .collect();
    std::fs::write(&input, lines).unwrap();
    let bin = env!("CARGO_BIN_EXE_systemdify");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{bin}' convert --from cron --user u '{}' 2>'{}/err' | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}",
            input.display(),
            tmp.path().display()
        ))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "141");
    let err = std::fs::read_to_string(tmp.path().join("err")).unwrap();
    assert_eq!(err, "", "a message was printed");

    // And without a shell: the child itself is killed by SIGPIPE.
    use std::os::unix::process::ExitStatusExt;
    let mut child = std::process::Command::new(bin)
        .args(["convert", "--from", "cron", "--user", "u"])
        .arg(&input)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.signal(), Some(13), "{:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
