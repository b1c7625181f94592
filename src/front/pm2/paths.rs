//! POSIX path arithmetic as Node's `path.resolve` does it (no filesystem access).

/// `path` with `.` and `..` resolved and repeated `/` collapsed; `..` above `/` stays at `/`.
#[must_use]
pub fn normalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|p| *p != "..") {
                    out.pop();
                } else if !absolute {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let joined = out.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Node's `path.resolve(base, path)`: `path` when absolute, else joined to `base`, normalized.
#[must_use]
pub fn resolve(base: &str, path: &str) -> String {
    if path.starts_with('/') {
        normalize(path)
    } else {
        normalize(&format!("{base}/{path}"))
    }
}

/// The directory of a host path (`/` for a file at the top).
#[must_use]
pub fn dirname(path: &str) -> String {
    match path.rsplit_once('/') {
        Some(("", _)) | None => "/".to_string(),
        Some((d, _)) => d.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_node() {
        assert_eq!(resolve("/srv/app", "../x/./y"), "/srv/x/y");
        assert_eq!(resolve("/srv/app", "/abs//p/"), "/abs/p");
        assert_eq!(resolve("/", "../../a"), "/a");
        assert_eq!(dirname("/srv/app/e.js"), "/srv/app");
        assert_eq!(dirname("/e.js"), "/");
    }
}
