#!/usr/bin/env python3
"""The supervisord trial: real configurations, systemdify's units against supervisor's resolution.

Run by ``scripts/supervisord-trial.sh`` (which downloads the packages and sets up the oracle
venv); run with the oracle venv's Python:

  supervisord_trial.py --bin target/release/systemdify --work DIR SOURCE...

Each SOURCE is ``LABEL=DIR``: a package unpacked in DIR (a Debian package's file tree when
LABEL starts with ``deb-``, else an sdist), or ``LABEL=DIR@HOSTPATH`` for that one file only.  Every file in it that holds a supervisord section header (``[program:x]``,
``[supervisord]``, …) is a configuration; so is every ``ini`` code block of the package's
``.rst``/``.md`` documentation that holds one (written to ``DIR/.trial-doc-snippets/``), and every
string constant of its Python tests that holds one (``DIR/.trial-test-strings/``: supervisor's
``test_options.py`` keeps most of its test configurations that way).

For each package a host tree is laid out once in ``WORK/hosts/LABEL``: the package's files (a
Debian package at ``/``, an sdist under ``/opt/NAME``), this machine's ``/etc/passwd`` and
``/etc/group``, ``/etc/hostname`` = ``trial-host``.  What a package's maintainer scripts would
create is added when supervisor asks for it, as a postinst would: a user named by ``user=`` that
the tree lacks, a log file's directory, ``[supervisord] directory``/``childlogdir``.  Every such
addition is listed.  supervisor and systemdify then read the same tree.

For each configuration:
* supervisor 4.3.0 resolves it (``tests/oracle/supervisor_oracle.py``'s ``run_config``: the host
  tree, uid 0, systemd's environment, errors placed per section);
* ``systemdify convert --from supervisord --root TREE -o OUT --report OUT/report.json HOSTPATH``
  runs (and once more with ``--from auto``, which must classify it the same);
* a panic (exit code other than 0/1, or ``panicked`` on standard error) is counted;
* every process of every ``[program:x]``/``[fcgi-program:x]`` group supervisor would run must be
  in a report item with a service unit; that unit (template, instance drop-ins, environment file)
  is read as systemd reads it and its argv (``ExecStart=``, specifiers and ``$$`` undone),
  ``WorkingDirectory=``, ``User=`` and environment (``Environment=`` + ``EnvironmentFile=``)
  are compared with supervisor's;
* ``/etc/supervisor/supervisord.conf`` and ``/etc/supervisord.conf`` are also found by
  ``systemdify scan --root TREE``, which must give the same supervisord items and units;
* with ``--verify``, ``systemd-analyze verify`` accepts the units (commands missing here aside);
* every section supervisor rejects must be an error item of the report; every
  ``[eventlistener:x]`` must be an item (its process becomes a handler, so it is not compared).

Explained differences (not failures), each counted by name:
* ``resolved-on-path``: ``ExecStart=`` names the absolute path that supervisord would find on
  ``PATH`` (``/usr/bin/celery`` for ``celery``), the file existing in the tree;
* ``result-handler-import``: supervisor rejects an ``[eventlistener:x]`` whose ``result_handler``
  it cannot import; systemdify does not check imports (a documented deviation, MIGRATION.md);
* ``daemon-directory``: no ``directory=``; the unit has ``[supervisord] directory``, which
  supervisord applies to its children when it daemonizes (``supervisord-daemonize``).

Exit status: 0 when nothing panicked and every difference is explained, 1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "oracle"))
import supervisor_oracle as oracle  # noqa: E402  (patches supervisor for host trees)

HEADER = re.compile(r"^\s*\[(program:|supervisord\]|eventlistener:|fcgi-program:|group:)", re.M)
SKIP_SUFFIXES = (".rst", ".md", ".txt", ".html", ".py", ".pyc", ".js", ".json", ".po", ".mo")
SKIP_NAMES = ("PKG-INFO", "CHANGES", "CHANGELOG", "METADATA")
FIRST_UID = 2000
# What every host has (the package's own directories come with it).
BASE_DIRS = ("tmp", "dev", "run", "var/run", "var/log", "var/tmp", "var/lib", "root", "home")


# --- finding configurations ----------------------------------------------------------------

def doc_snippets(root: Path) -> list[Path]:
    """``ini`` code blocks of .rst/.md files that hold a section header, as files."""
    out = []
    outdir = root / ".trial-doc-snippets"
    for doc in sorted(p for p in root.rglob("*") if p.suffix in (".rst", ".md") and p.is_file()):
        if outdir in doc.parents:
            continue
        try:
            lines = doc.read_text(encoding="utf-8").splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        blocks = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if re.match(r"\s*\.\.\s+code-block::\s*(ini|cfg|none)?\s*$", line) or line.rstrip().endswith("::") and doc.suffix == ".rst":
                j = i + 1
                while j < len(lines) and (not lines[j].strip() or lines[j].lstrip().startswith(":")):
                    j += 1
                body = []
                while j < len(lines) and (not lines[j].strip() or lines[j][:1] in " \t"):
                    body.append(lines[j])
                    j += 1
                text = "\n".join(body)
                indent = min((len(l) - len(l.lstrip()) for l in body if l.strip()), default=0)
                blocks.append((i + 1, "\n".join(l[indent:] for l in body).strip() + "\n"))
                i = j
                continue
            if doc.suffix == ".md" and re.match(r"\s*```\s*(ini|cfg|conf)?\s*$", line):
                j = i + 1
                body = []
                while j < len(lines) and not lines[j].strip().startswith("```"):
                    body.append(lines[j])
                    j += 1
                blocks.append((i + 1, "\n".join(body) + "\n"))
                i = j + 1
                continue
            i += 1
        for lineno, text in blocks:
            if not HEADER.search(text):
                continue
            rel = doc.relative_to(root)
            name = str(rel).replace("/", "_") + "-%d.conf" % lineno
            outdir.mkdir(exist_ok=True)
            (outdir / name).write_text(text)
            out.append(outdir / name)
    return out


def test_strings(root: Path) -> list[Path]:
    """String constants of the package's Python tests that hold a section header (supervisor's
    ``test_options.py`` writes most of its test configurations that way), dedented, as files."""
    out = []
    outdir = root / ".trial-test-strings"
    for src in sorted(root.rglob("test*.py")):
        if outdir in src.parents:
            continue
        try:
            tree = ast.parse(src.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and HEADER.search(node.value):
                text = textwrap.dedent(node.value)
                rel = src.relative_to(root)
                name = str(rel).replace("/", "_") + "-%d.conf" % node.lineno
                outdir.mkdir(exist_ok=True)
                (outdir / name).write_text(text)
                out.append(outdir / name)
    return out


def configurations(root: Path) -> list[Path]:
    out = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.is_symlink() or ".trial-doc-snippets" in p.parts or ".trial-test-strings" in p.parts:
            continue
        if p.suffix in SKIP_SUFFIXES or p.name.startswith(SKIP_NAMES):
            continue
        try:
            if p.stat().st_size > 1_000_000:
                continue
            text = p.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if HEADER.search(text):
            out.append(p)
    return out + doc_snippets(root) + test_strings(root)


# --- the host tree -------------------------------------------------------------------------

def host_tree(work: Path, label: str, src: Path, debian: bool) -> tuple[Path, str]:
    """The tree for one package, and the host path its files are under."""
    tree = work / "hosts" / label
    if tree.exists():
        shutil.rmtree(tree)
    prefix = "/" if debian else "/opt/" + src.name
    dest = tree / prefix.lstrip("/")
    shutil.copytree(src, dest, symlinks=True, dirs_exist_ok=True)
    (tree / "etc").mkdir(parents=True, exist_ok=True)
    for f in ("passwd", "group"):
        with open("/etc/" + f) as inp, open(tree / "etc" / f, "a") as outp:
            outp.write(inp.read())
    (tree / "etc" / "hostname").write_text("trial-host\n")
    for d in BASE_DIRS:
        (tree / d).mkdir(parents=True, exist_ok=True)
    return tree, prefix


def add_user(tree: Path, name: str) -> None:
    passwd = (tree / "etc" / "passwd").read_text().splitlines()
    used = {int(l.split(":")[2]) for l in passwd if l.count(":") >= 6}
    uid = FIRST_UID
    while uid in used:
        uid += 1
    with open(tree / "etc" / "passwd", "a") as f:
        f.write("%s:x:%d:%d::/var/lib/%s:/usr/sbin/nologin\n" % (name, uid, uid, name))
    with open(tree / "etc" / "group", "a") as f:
        f.write("%s:x:%d:\n" % (name, uid))


def complete_host(tree: Path, result: dict) -> list[str]:
    """What a postinst would have made and supervisor missed: users, directories."""
    added = []
    for e in result["errors"]:
        m = e["message"]
        user = re.search(r"Invalid user name (\S+)", m)
        if user:
            if name_uid(tree, user.group(1)) is not None:
                continue
            add_user(tree, user.group(1))
            added.append("user " + user.group(1))
            continue
        d = re.search(r"The directory named as part of the path (.+) does not exist", m)
        if not d:
            d = re.search(r"^(.+) is not an existing directory", m)
            path = d.group(1) if d else None
        else:
            path = os.path.dirname(d.group(1))
        if path and path.startswith("/") and "\x00" not in path:
            target = tree / path.lstrip("/")
            if target.is_dir():
                continue
            try:
                target.mkdir(parents=True, exist_ok=True)
                added.append("directory " + path)
            except OSError:
                pass
    return added


# --- systemd's reading of the units --------------------------------------------------------

CESC = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
        "\\": "\\", '"': '"', "'": "'", "s": " "}


def split_words(s: str) -> list[str]:
    """systemd's extract_first_word with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE, repeatedly."""
    words, i, n = [], 0, len(s)
    while True:
        while i < n and s[i] in " \t\n":
            i += 1
        if i >= n:
            return words
        word, quote = "", None
        started = False
        while i < n:
            c = s[i]
            if quote is None and c in " \t\n":
                break
            started = True
            if c == "\\" and i + 1 < n:
                nxt = s[i + 1]
                if nxt in CESC:
                    word += CESC[nxt]
                    i += 2
                elif nxt == "x" and i + 3 < n + 1:
                    word += chr(int(s[i + 2:i + 4], 16))
                    i += 4
                elif nxt in "01234567":
                    word += chr(int(s[i + 1:i + 4], 8))
                    i += 4
                elif nxt == "u":
                    word += chr(int(s[i + 2:i + 6], 16))
                    i += 6
                elif nxt == "U":
                    word += chr(int(s[i + 2:i + 10], 16))
                    i += 10
                else:
                    raise ValueError("bad escape \\%s in %r" % (nxt, s))
                continue
            if quote is None and c in "\"'":
                quote = c
            elif quote == c:
                quote = None
            else:
                word += c
            i += 1
        if quote is not None:
            raise ValueError("unterminated quote in %r" % s)
        if started:
            words.append(word)


def specifiers(s: str, instance: str | None) -> str:
    def sub(m):
        c = m.group(1)
        if c == "%":
            return "%"
        if c in "iI" and instance is not None:
            return instance
        raise ValueError("specifier %%%s in %r" % (c, s))

    return re.sub(r"%(.)", sub, s)


def dollars(s: str) -> str:
    if re.search(r"\$(?!\$)[{A-Za-z_]", s.replace("$$", "")):
        raise ValueError("unescaped $ variable in %r" % s)
    return s.replace("$$", "$")


def read_unit(path: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) assignments in order."""
    out, section, pending = [], None, ""
    for raw in path.read_text().splitlines():
        line = pending + raw
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        s = line.strip()
        if not s or s[0] in "#;":
            continue
        if s.startswith("["):
            section = s.strip("[]")
            continue
        k, _, v = s.partition("=")
        out.append((section, k.strip(), v.strip()))
    return out


def env_file(path: Path) -> list[tuple[str, str]]:
    """A systemd environment file (shell-like quoting) as systemdify writes it."""
    out = []
    for line in path.read_text().splitlines():
        s = line.strip()
        if not s or s[0] in "#;":
            continue
        k, _, v = s.partition("=")
        val, i = "", 0
        while i < len(v):
            c = v[i]
            if c == "'":
                j = v.index("'", i + 1)
                val += v[i + 1:j]
                i = j + 1
            elif c == '"':
                i += 1
                while v[i] != '"':
                    if v[i] == "\\" and v[i + 1] in '"\\`$':
                        i += 1
                    val += v[i]
                    i += 1
                i += 1
            elif c == "\\" and i + 1 < len(v):
                val += v[i + 1]
                i += 2
            else:
                val += c
                i += 1
        out.append((k.strip(), val))
    return out


def service_view(out: Path, unit: str) -> dict:
    """argv, directory, user, environment of a service as systemd would run it."""
    instance = None
    files = []
    m = re.match(r"^(.*)@(.*)\.service$", unit)
    if m and m.group(2):
        instance = m.group(2)
        template = "%s@.service" % m.group(1)
        files.append(out / template)
        for d in (out / (template + ".d"), out / (unit + ".d")):
            if d.is_dir():
                files += sorted(d.glob("*.conf"))
    else:
        files.append(out / unit)
        d = out / (unit + ".d")
        if d.is_dir():
            files += sorted(d.glob("*.conf"))
    exec_start, directory, user, env, envfiles = None, None, None, {}, []
    for f in files:
        if not f.is_file():
            continue
        for section, k, v in read_unit(f):
            if section != "Service":
                continue
            if k == "ExecStart":
                exec_start = v or None
            elif k == "WorkingDirectory":
                directory = specifiers(v, instance) or None
            elif k == "User":
                user = specifiers(v, instance) or None
            elif k == "Environment":
                if not v:
                    env = {}
                for w in split_words(v):
                    name, _, val = specifiers(w, instance).partition("=")
                    env[name] = val
            elif k == "EnvironmentFile":
                envfiles.append(v)
    for ef in envfiles:
        optional = ef.startswith("-")
        ef = ef.lstrip("-")
        local = out / "env" / os.path.basename(ef)
        if local.is_file():
            for name, val in env_file(local):
                env[name] = val
        elif not optional:
            raise ValueError("EnvironmentFile %s not written" % ef)
    argv = None
    if exec_start is not None:
        v = exec_start
        while v and v[0] in "@-:+!|":
            if v[0] == "@":
                raise ValueError("ExecStart with @ prefix: %r" % v)
            v = v[1:]
        argv = [dollars(specifiers(w, instance)) for w in split_words(v)]
        if ";" in argv:
            raise ValueError("ExecStart with a ; separator: %r" % exec_start)
    return {"argv": argv, "directory": directory, "user": user, "env": env}


# --- one configuration ---------------------------------------------------------------------

class Tally:
    def __init__(self):
        self.configs = 0
        self.processes = 0
        self.equal = 0
        self.differing = 0
        self.errors = 0  # sections supervisor rejects, found as error items
        self.listeners = 0
        self.panics = 0
        self.verified = 0
        self.explained: dict[str, int] = {}
        self.failures: list[str] = []
        self.added: list[str] = []
        self.oracle_failures: list[str] = []


def run(binary: str, tree: Path, host_path: str, out: Path, fmt: str, env_file: Path | None) -> tuple[int, str]:
    if out.exists():
        shutil.rmtree(out)
    extra = ["--env-file", str(env_file)] if env_file else []
    p = subprocess.run([binary, "convert", "--from", fmt, "--root", str(tree), "-o", str(out),
                        "--report", str(out / "report.json")] + extra + [host_path],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stderr


def verify(out: Path) -> list[str]:
    """systemd-analyze verify on every unit written (a template as its instances with drop-ins,
    else as x@verify.service); commands missing on this machine, and systemd's warning about
    User=nobody (written as the program asked, with supervisord-user-nobody), are tolerated."""
    names = [p.name for p in out.iterdir() if p.suffix in (".service", ".socket", ".target", ".timer")]
    units = [n for n in names if "@." not in n]
    for n in names:
        if n.endswith("@.service"):
            stem = n[: -len("@.service")]
            own = [d.name[:-2] for d in out.glob(stem + "@*.service.d") if d.name != n + ".d"]
            if own:
                units += own
            else:
                shutil.copy(out / n, out / (stem + "@verify.service"))
                units.append(stem + "@verify.service")
    if not units:
        return []
    p = subprocess.run(["systemd-analyze", "verify", "--man=no"] + [str(out / u) for u in sorted(units)],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, SYSTEMD_UNIT_PATH="%s:" % out))
    return [l for l in p.stderr.splitlines()
            if l.strip() and not ("Command " in l and "is not executable" in l)
            and "No such file or directory" not in l
            # User=nobody, as the program asked (finding supervisord-user-nobody).
            and "Special user nobody configured" not in l]


def uid_name(tree: Path, uid: int) -> str | None:
    for l in (tree / "etc" / "passwd").read_text().splitlines():
        f = l.split(":")
        if len(f) >= 3 and f[2] == str(uid):
            return f[0]
    return None


def name_uid(tree: Path, name: str) -> int | None:
    if name.isdigit():
        return int(name)
    for l in (tree / "etc" / "passwd").read_text().splitlines():
        f = l.split(":")
        if len(f) >= 3 and f[0] == name:
            return int(f[2])
    return None


def check_config(args, tally: Tally, tree: Path, host_path: str, shown: str, env: dict) -> None:
    tally.configs += 1
    result = None
    for _ in range(10):
        try:
            result = oracle.run_config(str(tree), host_path, env, None)
        except (SystemExit, Exception) as e:  # the oracle could not place an error
            tally.oracle_failures.append("%s: supervisor oracle: %s" % (shown, e))
            return
        added = complete_host(tree, result)
        if not added:
            break
        tally.added += ["%s: %s" % (shown, a) for a in added]
    out = args.work / "out" / re.sub(r"[^A-Za-z0-9_.-]", "_", shown)
    fail = tally.failures.append
    env_file = None
    if env:
        env_file = args.work / "env" / (re.sub(r"[^A-Za-z0-9_.-]", "_", shown) + ".env")
        env_file.parent.mkdir(parents=True, exist_ok=True)
        env_file.write_text("".join("%s=%s\n" % kv for kv in env.items()))
    reports = {}
    for fmt in ("auto", "supervisord"):
        rc, stderr = run(args.bin, tree, host_path, out, fmt, env_file)
        if rc not in (0, 1) or "panicked" in stderr:
            tally.panics += 1
            fail("%s: --from %s: PANIC (exit %d)\n%s" % (shown, fmt, rc, stderr[-2000:]))
            return
        reports[fmt] = report = json.loads((out / "report.json").read_text())
    if reports["auto"] != reports["supervisord"]:
        fail("%s: --from auto does not read it as --from supervisord does: %s"
             % (shown, json.dumps(reports["auto"]["errors"] or reports["auto"]["items"])[:600]))
    items = report["items"]
    if args.verify and shutil.which("systemd-analyze") and "+" not in shown.split(":", 1)[0]:
        problems = verify(out)
        tally.verified += 1
        if problems:
            fail("%s: systemd-analyze verify:\n    %s" % (shown, "\n    ".join(problems)))
    if host_path in ("/etc/supervisor/supervisord.conf", "/etc/supervisord.conf"):
        # The main configuration where supervisord looks for it: `scan --root` converts it too.
        scan_out = out.parent / (out.name + ".scan")
        if scan_out.exists():
            shutil.rmtree(scan_out)
        p = subprocess.run([args.bin, "scan", "--root", str(tree), "-o", str(scan_out),
                            "--report", str(scan_out / "report.json")] + (["--env-file", str(env_file)] if env_file else []),
                           capture_output=True, text=True, timeout=300)
        if p.returncode not in (0, 1) or "panicked" in p.stderr:
            tally.panics += 1
            fail("%s: scan --root: PANIC (exit %d)\n%s" % (shown, p.returncode, p.stderr[-2000:]))
            return
        scanned = json.loads((scan_out / "report.json").read_text())["items"]
        view = lambda its: sorted((i["source"]["name"], i["status"], i["units"]) for i in its
                                  if i["source"]["format"] == "supervisord")
        if view(scanned) != view(items):
            fail("%s: scan --root converts it otherwise than convert:\n    scan:    %s\n    convert: %s"
                 % (shown, view(scanned), view(items)))
    if args.verbose:
        print("%s: %d processes, rejected by supervisor: %s; systemdify errors: %s" % (
            shown, sum(len(g["processes"]) for g in result["groups"]),
            [(e["section"], e["message"]) for e in result["errors"]],
            [e["message"] for e in report["errors"]]))
    # Sections supervisor rejects: error items of the report.
    error_items = {(i["source"]["name"]) for i in items if i["status"] == "error"}
    for e in result["errors"]:
        sec = e["section"]
        tally.errors += 1
        if sec is None:
            if not report["errors"]:
                fail("%s: supervisor: %s; systemdify reports no error" % (shown, e["message"]))
            continue
        name = sec.split(":", 1)[1] if ":" in sec else sec
        if re.search(r"cannot be resolved within \[eventlistener:", e["message"]):
            # MIGRATION.md: whether a result_handler can be imported is not checked.
            tally.explained["result-handler-import"] = tally.explained.get("result-handler-import", 0) + 1
            continue
        if name not in error_items and not any(sec in x["message"] for x in report["errors"]):
            fail("%s: supervisor rejects [%s] (%s); systemdify has no error item for it"
                 % (shown, sec, e["message"]))
    sd = result["supervisord"]
    sd_uid = name_uid(tree, sd["user"]) if sd["user"] else None
    for g in result["groups"]:
        kind = g["kind"]["type"]
        for p in g["processes"]:
            tally.processes += 1
            where = "%s: [%s] process %s" % (shown, g["name"], p["name"])
            candidates = [i for i in items if i["source"]["name"] == p["program"] and i["status"] != "error"]
            if kind == "event-listener":
                tally.listeners += 1
                if not candidates:
                    fail("%s: event listener not in the report" % where)
                continue
            services = []
            for i in candidates:
                units = [u for u in i["units"] if u.endswith(".service") and "-healthcheck" not in u]
                instances = [u for u in units if re.match(r".*@.+\.service$", u)]
                if instances:
                    services += [u for u in instances if u.rsplit("@", 1)[1] == "%d.service" % p["process_num"]]
                elif units:
                    services.append(units[0])
            if len(services) != 1:
                tally.differing += 1
                fail("%s: %d service units for it in the report (%s)"
                     % (where, len(services), [i["units"] for i in candidates]))
                continue
            try:
                got = service_view(out, services[0])
            except (ValueError, OSError, IndexError) as e:
                tally.differing += 1
                fail("%s: %s: %s" % (where, services[0], e))
                continue
            diffs = []
            # argv
            want = p["argv"].get("ok")
            if want is None:
                if got["argv"] is not None:
                    diffs.append("argv: supervisor cannot split %r (%s), unit runs %r"
                                 % (p["command"], p["argv"]["err"], got["argv"]))
            elif got["argv"] != want:
                g0 = got["argv"][0] if got["argv"] else None
                if (got["argv"] and got["argv"][1:] == want[1:] and "/" not in want[0]
                        and g0.startswith("/") and os.path.basename(g0) == want[0]
                        and (tree / g0.lstrip("/")).exists()):
                    tally.explained["resolved-on-path"] = tally.explained.get("resolved-on-path", 0) + 1
                else:
                    diffs.append("argv: supervisor %r, unit %r" % (want, got["argv"]))
            # directory
            if p["directory"] != got["directory"]:
                if p["directory"] is None and got["directory"] == sd["directory"]:
                    tally.explained["daemon-directory"] = tally.explained.get("daemon-directory", 0) + 1
                else:
                    diffs.append("directory: supervisor %r, unit %r" % (p["directory"], got["directory"]))
            # user
            want_uid = p["uid"] if p["uid"] is not None else sd_uid
            got_uid = name_uid(tree, got["user"]) if got["user"] else None
            if (want_uid or 0) != (got_uid or 0) or (want_uid is not None and got["user"] is None):
                diffs.append("user: supervisor uid %r (%s), unit User=%r"
                             % (want_uid, uid_name(tree, want_uid) if want_uid is not None else None, got["user"]))
            # environment
            # supervisord's children inherit its environment (--env-file); the program's win.
            want_env = dict(env) | dict(p["environment"])
            if want_env != got["env"]:
                diffs.append("environment: supervisor %r, unit %r" % (sorted(want_env.items()), sorted(got["env"].items())))
            if args.verbose:
                print("    %s: %s" % (where, json.dumps(got)))
            if diffs:
                tally.differing += 1
                fail("%s (%s):\n    %s" % (where, services[0], "\n    ".join(diffs)))
            else:
                tally.equal += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--verify", action="store_true",
                    help="systemd-analyze verify the units of every configuration (as shipped)")
    ap.add_argument("--line-endings", action="store_true",
                    help="also check every package with its configurations saved with CRLF and lone CR line endings")
    ap.add_argument("--env", action="store_true",
                    help="give supervisord (--env-file) a value for every %%(ENV_X)s the package uses")
    ap.add_argument("sources", nargs="+", help="LABEL=DIR, a Debian package tree (deb:...) or sdist")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    tally = Tally()
    rows = []
    for spec in args.sources:
        label, _, d = spec.partition("=")
        d, _, only = d.partition("@")
        src = Path(d)
        debian = label.startswith("deb-")
        found = [src / only.lstrip("/")] if only else configurations(src)
        if not found:
            continue
        # supervisord's environment: a value for every %(ENV_X)s the package's files use.
        names = set()
        for conf in found:
            names |= set(re.findall(r"%\(ENV_(\w+)\)", conf.read_text(encoding="utf-8", errors="replace")))
        env = {n: "%s-value $HOME" % n.lower() for n in sorted(names) if n != "PATH"} if args.env else {}
        for ending in ["\n"] + (["\r\n", "\r"] if args.line_endings else []):
            name = label + {"\n": "", "\r\n": "+crlf", "\r": "+cr"}[ending]
            tree, prefix = host_tree(args.work, name, src, debian)
            hosts = [os.path.join(prefix, str(conf.relative_to(src))) for conf in found]
            if ending != "\n":
                # Every configuration file of the tree saved with other line endings.
                for h in hosts:
                    f = tree / h.lstrip("/")
                    f.write_bytes(f.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", ending.encode()))
            before = (tally.configs, tally.processes, tally.equal, tally.differing, tally.errors, tally.panics)
            for h in hosts:
                check_config(args, tally, tree, h, "%s:%s" % (name, h), env)
            after = (tally.configs, tally.processes, tally.equal, tally.differing, tally.errors, tally.panics)
            rows.append((name,) + tuple(a - b for a, b in zip(after, before)))
    rows.append(("total", tally.configs, tally.processes, tally.equal, tally.differing, tally.errors, tally.panics))
    if args.verbose or tally.added:
        print("Host tree additions (what a postinst would have created):")
        for a in tally.added:
            print("  " + a)
    for f in tally.oracle_failures:
        print("ORACLE: " + f)
    for f in tally.failures:
        print("FAIL: " + f)
    print()
    head = ("source", "configs", "processes", "equal", "differing", "rejected", "panics")
    width = max(len(r[0]) for r in rows + [head])
    print("%-*s %8s %10s %6s %10s %9s %7s" % ((width,) + head))
    for r in rows:
        print("%-*s %8d %10d %6d %10d %9d %7d" % ((width,) + r))
    print("event listeners (reported, not compared): %d" % tally.listeners)
    if args.verify:
        print("unit sets checked by systemd-analyze verify: %d" % tally.verified)
    print("explained: %s" % (", ".join("%s %d" % kv for kv in sorted(tally.explained.items())) or "none"))
    print("unexplained differences: %d; panics: %d; oracle failures: %d"
          % (len(tally.failures) - tally.panics, tally.panics, len(tally.oracle_failures)))
    return 1 if tally.failures or tally.oracle_failures else 0


if __name__ == "__main__":
    sys.exit(main())
