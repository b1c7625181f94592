#!/usr/bin/env python3
"""supervisor's own reading of supervisord configurations, as JSON fixtures for systemdify.

What it is
----------
For every case directory (``corpus/supervisord/*/`` and ``tests/fixtures/supervisord/*/``)
this script runs supervisor 4.3.0 (pinned in ``requirements.txt``) on the case's
configuration and writes what supervisord would run to ``oracle.json`` in the case:
every process group (sorted as supervisord sorts them) with every process and its
resolved settings, the ``[supervisord]`` settings, the files read and the errors.
``tests/supervisord_oracle.rs`` checks that ``systemdify::front::supervisord::resolve``
gives the same for every process on every field.  The Rust code never runs this
script; it reads the fixtures.

It also writes ``tests/fixtures/supervisord-generated-oracle.json``: 300 configurations
generated (``random.Random(20261202)``) from options with good and bad values, expansions,
environments, groups, ``[DEFAULT]``, includes (merged sections, nested includes, bad lines), each resolved the same way, for
``tests/supervisord_oracle.rs``; and ``tests/fixtures/supervisord-ini-oracle.json``: 600 INI snippets
generated from tricky pieces (``random.Random(20261201)``) and how supervisor's
``UnhosedConfigParser`` reads each (sections, keys, values, bad lines), for
``tests/supervisord_ini.rs``.

A case directory holds
  ``root/``     a host tree (``etc/passwd``, ``etc/group``, ``etc/hostname``, the files);
  ``input``     the host path of the configuration to read (one line);
  ``env``       optional: ``KEY=VALUE`` lines, systemdify's ``--env-file``;
  ``hostname``  optional: systemdify's ``--hostname`` (else the tree's ``/etc/hostname``).

How supervisor is run (each point mirrors a rule of systemdify's reader)
-----------------------------------------------------------------------
* Everything the parse reads from the host comes from ``root/``: the files (open, glob),
  ``/etc/passwd`` and ``/etc/group`` (``pwd``/``grp`` are replaced), the directory checks
  of ``existing_directory``/``existing_dirpath`` (relative paths against ``/``).  Host paths
  stay host paths in the output.
* supervisord's environment is exactly ``PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin``
  (what systemd gives it) plus the case's ``env``; it runs as uid 0; ``platform.node()`` is
  the host name; ``tempfile.gettempdir()`` is ``/tmp`` (and taken to exist, as it always does).
* supervisord stops at the first error of the whole configuration.  systemdify makes each
  error one of the section at fault and reads on as if that section were absent.  To check
  that, the oracle finds the section supervisor was reading when it failed, records the
  error, hides the section (its header is renamed at read time, in every file) and runs
  supervisor again, until it succeeds.  A bad line inside a section is recorded the same way
  (CPython's ``_handle_error`` records it instead of failing); a line before the first header
  is blanked.  When ``[supervisord]`` is at fault an empty one takes its place (its settings
  fall back to the defaults).  The realize-time check that ``[supervisord] user`` exists is
  made too.
* One difference from supervisor, on purpose and the same as systemdify's: a ``%`` conversion
  without a name (``%s``, ``% a``) would insert supervisor's whole expansion table into the
  value; it is made an error of the section.
* A configuration without ``[supervisord]`` (a conf.d file converted on its own) is read as
  supervisord reads it when included: through a main file holding only ``[supervisord]`` and
  an ``[include]`` of it, in the same directory.

Usage (from the repository root)
--------------------------------
  python3 -m venv /tmp/systemdify-oracle \\
    && /tmp/systemdify-oracle/bin/pip install -r tests/oracle/requirements.txt \\
    && /tmp/systemdify-oracle/bin/python tests/oracle/supervisor_oracle.py

  .../python tests/oracle/supervisor_oracle.py --check
      regenerate in memory; exit 1 if any fixture differs.

CPython 3.10, 3.11 and 3.12 give identical fixtures. The INI reading differs on 3.9 (a
section header ends at the first ``]``) and on 3.13 (an inline comment starts at the first
``;`` or ``#`` after whitespace, where older versions look for the prefixes in rounds), which
systemdify follows with ``Python::Py39`` and ``Python::Py313``: under 3.9 the snippets go to
``supervisord-ini-oracle-py39.json`` (the other fixtures are checked as usual), under 3.13 to
``supervisord-ini-oracle-py313.json`` (and nothing else is written: 3.13 reports bad lines
another way, which the per-section error placing does not follow).
"""

from __future__ import annotations

import argparse
import configparser
import glob as globmod
import grp
import io
import json
import os
import platform
import pwd
import random
import re
import shlex
import signal
import sys
import tempfile
import types
from importlib.metadata import version
from pathlib import Path

import supervisor.datatypes as dt
import supervisor.options as so
from supervisor.datatypes import Automatic, RestartUnconditionally, RestartWhenExitUnexpected

REPO = Path(__file__).resolve().parents[2]
CASE_DIRS = [REPO / "corpus" / "supervisord", REPO / "tests" / "fixtures" / "supervisord"]
INI_FIXTURE = REPO / "tests" / "fixtures" / "supervisord-ini-oracle.json"
BASE_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
TEMPDIR = "/oracle-gettempdir"
EMPTY_SUPERVISORD = "[supervisord]oracle-empty"


class State:
    """What the patched functions see and record during one supervisor run."""

    root = ""
    hostname = ""
    renamed: set = set()
    blank: dict = {}  # host path -> set of 1-based line numbers
    virtual: dict = {}  # host path -> text (the fragment wrapper)
    append_supervisord = ""  # host path of the main file, when [supervisord] is replaced
    last_section = None
    last_group_section = None
    current_section = None
    line_errors: list = []
    missing_header = None
    headers: list = []  # every section header read, in order
    numbers: dict = {}  # (group, process name) -> (program name, process_num)


def local(host_path: str) -> str:
    return State.root + os.path.join("/", host_path)


def load(host_path: str) -> str:
    if host_path in State.virtual:
        return State.virtual[host_path]
    with open(local(host_path), encoding="utf-8") as f:
        text = f.read()
    lines = io.StringIO(text).readlines()
    blank = State.blank.get(host_path, set())
    lines = ["\n" if i + 1 in blank else line for i, line in enumerate(lines)]
    text = "".join(lines)
    if host_path == State.append_supervisord:
        text += "\n" + EMPTY_SUPERVISORD + "\n"
    return text


# --- the host: files, users, groups, directories --------------------------------------------

def _db(path):
    try:
        with open(State.root + path, encoding="utf-8") as f:
            return [l.rstrip("\n").split(":") for l in f if l.strip() and not l.startswith("#")]
    except OSError:
        return []


def _pw(fields):
    return pwd.struct_passwd((fields[0], "x", int(fields[2]), int(fields[3]), fields[4], fields[5], fields[6] if len(fields) > 6 else ""))


def getpwnam(name):
    for f in _db("/etc/passwd"):
        if len(f) >= 6 and f[0] == name:
            return _pw(f)
    raise KeyError(name)


def getpwuid(uid):
    for f in _db("/etc/passwd"):
        if len(f) >= 6 and f[2].isdigit() and int(f[2]) == uid:
            return _pw(f)
    raise KeyError(uid)


def getgrnam(name):
    for f in _db("/etc/group"):
        if len(f) >= 3 and f[0] == name:
            return grp.struct_group((f[0], "x", int(f[2]), []))
    raise KeyError(name)


def getgrgid(gid):
    for f in _db("/etc/group"):
        if len(f) >= 3 and f[2].isdigit() and int(f[2]) == gid:
            return grp.struct_group((f[0], "x", int(f[2]), []))
    raise KeyError(gid)


pwd.getpwnam, pwd.getpwuid, grp.getgrnam, grp.getgrgid = getpwnam, getpwuid, getgrnam, getgrgid
os.getuid = lambda: 0
platform.node = lambda: State.hostname
# options.py calls tempfile.gettempdir() for the childlogdir default: give it a stand-in module.
so.tempfile = types.SimpleNamespace(gettempdir=lambda: TEMPDIR)


def _isdir(path):
    return os.path.isdir(local(path))


def existing_directory(v):
    nv = os.path.expanduser(v)
    if nv == TEMPDIR or _isdir(nv):
        return nv
    raise ValueError("%s is not an existing directory" % v)


def existing_dirpath(v):
    nv = os.path.expanduser(v)
    d = os.path.dirname(nv)
    if not d or _isdir(d):
        return nv
    raise ValueError("The directory named as part of the path %s does not exist" % v)


dt.existing_directory = so.existing_directory = existing_directory
dt.existing_dirpath = so.existing_dirpath = existing_dirpath

_real_glob = globmod.glob
so.glob.glob = lambda pattern: [p[len(State.root):] for p in _real_glob(globmod.escape(State.root) + pattern)]
so.ServerOptions.exists = lambda self, path: path in State.virtual or os.path.exists(local(path))


def _open(self, fn, mode="r"):
    f = io.StringIO(load(fn))
    f.name = fn
    return f


so.ServerOptions.open = _open


def _read(self, filenames, encoding=None):
    if isinstance(filenames, str):
        filenames = [filenames]
    ok = []
    for filename in filenames:
        try:
            text = load(filename)
        except OSError:
            continue
        self._read(io.StringIO(text), filename)
        ok.append(filename)
    return ok


configparser.RawConfigParser.read = _read

# --- which section supervisor is reading ----------------------------------------------------

_SECTCRE = configparser.RawConfigParser.SECTCRE


class _Header:
    def __init__(self, name):
        self.name = name

    def group(self, _):
        return self.name


class _SectionMatcher:
    """SECTCRE that hides the sections in ``State.renamed`` and notes the current one."""

    def match(self, value):
        mo = _SECTCRE.match(value)
        if not mo:
            return mo
        name = mo.group("header")
        State.current_section = name
        State.headers.append(name)
        if value == EMPTY_SUPERVISORD:
            return mo
        if name in State.renamed:
            return _Header("oracle-hidden:" + name)
        return mo


configparser.RawConfigParser.SECTCRE = _SectionMatcher()


def _handle_error(self, exc, fpname, lineno, line):
    State.line_errors.append((fpname, lineno, State.current_section))
    return None


configparser.RawConfigParser._handle_error = _handle_error
_real_read_inner = configparser.RawConfigParser._read


def _read_inner(self, fp, fpname):
    State.current_section = None
    try:
        return _real_read_inner(self, fp, fpname)
    except configparser.MissingSectionHeaderError as e:
        State.missing_header = (fpname, e.lineno)
        raise


configparser.RawConfigParser._read = _read_inner
_real_saneget = so.UnhosedConfigParser.saneget


def _saneget(self, section, option, *args, **kwargs):
    State.last_section = section
    if section.startswith("group:"):
        State.last_group_section = section
    return _real_saneget(self, section, option, *args, **kwargs)


so.UnhosedConfigParser.saneget = _saneget

# One deliberate difference, the same as systemdify's: a conversion without a name (`%s`,
# `%r`, `% a` …) makes Python insert the whole expansion table; that is an error here.
_real_expand = so.expand
_TABLE = "\x00expansion table\x00"


class _Table(dict):
    def __repr__(self):
        return _TABLE

    __str__ = __repr__


def _expand(s, expansions, name):
    out = _real_expand(s, _Table(expansions), name)
    if _TABLE in out:
        raise ValueError("Format string %r for %r has a conversion without a name" % (s, name))
    if name == "process_name":
        # ProcessConfig keeps neither: note them when the process gets its name.
        State.numbers[(expansions["group_name"], out)] = (expansions["program_name"], expansions["process_num"])
    return out


so.expand = _expand

# --- one case ---------------------------------------------------------------------------------


def _fault_section(message):
    # A program, group or fcgi-program name is checked before any value of its section is read.
    m = re.match(r"Invalid name: '(.*)' because of character", message)
    if m:
        for h in State.headers:
            if ":" in h and h.split(":", 1)[1] == m.group(1) and h not in State.renamed:
                return h
    if "names unknown program" in message or "is ambiguous" in message:
        return State.last_group_section
    if "'include.files'" in message or "[include] section, but no files" in message:
        return "include"
    return State.last_section


def _run_once(configfile, env):
    os.environ.clear()
    os.environ.update(BASE_ENV | env)
    State.last_section = State.last_group_section = None
    State.line_errors = []
    State.missing_header = None
    State.headers = []
    State.numbers = {}
    opts = so.ServerOptions()
    opts.configfile = configfile
    try:
        opts.process_config(do_usage=False)
        user = opts.configroot.supervisord.user
        if user is not None:
            State.last_section = "supervisord"
            so.name_to_uid(user)
    except ValueError as e:
        return None, str(e)
    return opts, None


def logf(v):
    return "auto" if v is Automatic else ("none" if v is None else {"path": v})


def restart(v):
    return {RestartUnconditionally: "true", RestartWhenExitUnexpected: "unexpected"}.get(v, "false")


def argv(cmd):
    try:
        return {"ok": shlex.split(cmd)}
    except ValueError as e:
        return {"err": str(e)}


def dump(opts):
    sd = opts.configroot.supervisord
    out = {
        "supervisord": {
            "user": sd.user,
            "directory": sd.directory,
            "umask": sd.umask,
            "minfds": sd.minfds,
            "minprocs": sd.minprocs,
            "childlogdir": "/tmp" if sd.childlogdir == TEMPDIR else sd.childlogdir,
            "nodaemon": bool(sd.nodaemon),
            "identifier": sd.identifier,
            "environment": sorted(sd.environment.items()),
        },
        "groups": [],
    }
    from supervisor.events import EventTypes

    evname = {v: k for k, v in vars(EventTypes).items() if not k.startswith("_")}
    for g in opts.process_group_configs:
        gd = {"name": g.name, "priority": g.priority}
        if isinstance(g, so.EventListenerPoolConfig):
            gd["kind"] = {"type": "event-listener",
                          "events": sorted(evname[e] for e in g.pool_events),
                          "buffer_size": g.buffer_size}
        elif isinstance(g, so.FastCGIGroupConfig):
            s = g.socket_config
            sock = {"url": s.url, "backlog": s.get_backlog(), "mode": None, "owner": None}
            if isinstance(s, dt.UnixStreamSocketConfig):
                owner = s.get_owner()
                sock["mode"] = s.get_mode()
                sock["owner"] = None if owner is None else [owner[0], None if owner[1] == -1 else owner[1]]
            gd["kind"] = {"type": "fast-cgi", "socket": sock}
        else:
            gd["kind"] = {"type": "program-or-group"}
        gd["processes"] = []
        for p in g.process_configs:
            program, number = State.numbers[(g.name, p.name)]
            gd["processes"].append({
                "name": p.name,
                "program": program,
                "process_num": number,
                "command": p.command,
                "argv": argv(p.command),
                "directory": p.directory,
                "uid": p.uid,
                "umask": p.umask,
                "priority": p.priority,
                "autostart": p.autostart,
                "autorestart": restart(p.autorestart),
                "exitcodes": p.exitcodes,
                "startsecs": p.startsecs,
                "startretries": p.startretries,
                "stopsignal": signal.Signals(p.stopsignal).name,
                "stopwaitsecs": p.stopwaitsecs,
                "stopasgroup": p.stopasgroup,
                "killasgroup": p.killasgroup,
                "redirect_stderr": p.redirect_stderr,
                **{c: {"logfile": logf(getattr(p, c + "_logfile")),
                       "maxbytes": getattr(p, c + "_logfile_maxbytes"),
                       "backups": getattr(p, c + "_logfile_backups"),
                       "syslog": getattr(p, c + "_syslog"),
                       "capture_maxbytes": getattr(p, c + "_capture_maxbytes"),
                       "events_enabled": getattr(p, c + "_events_enabled")}
                   for c in ("stdout", "stderr")},
                "environment": sorted(p.environment.items()),
                "serverurl": p.serverurl,
            })
        out["groups"].append(gd)
    return out


def run_case(case: Path) -> dict:
    main = (case / "input").read_text().strip()
    env = {}
    if (case / "env").exists():
        for line in (case / "env").read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                k, v = line.split("=", 1)
                env[k] = v
    hostname = (case / "hostname").read_text().strip() if (case / "hostname").exists() else None
    return run_config(str((case / "root").resolve()), main, env, hostname)


def run_config(root: str, main: str, env: dict, hostname) -> dict:
    """supervisor's resolution of the host file ``main`` in the host tree ``root``."""
    State.root = root
    if hostname is None:
        hostname = Path(local("/etc/hostname")).read_text().strip()
    State.hostname = hostname
    State.renamed, State.blank, State.virtual, State.append_supervisord = set(), {}, {}, ""
    errors = []
    configfile = main
    fragment = False
    for _ in range(100):
        opts, message = _run_once(configfile, env)
        progressed = False
        if message is not None and "does not include supervisord section" in message and not fragment:
            fragment = True
            configfile = os.path.join(os.path.dirname(main), ".oracle-main.conf")
            State.virtual[configfile] = "[supervisord]\n[include]\nfiles = %s\n" % globmod.escape(os.path.basename(main))
            continue
        for fpname, lineno, section in State.line_errors:
            if section not in State.renamed:
                errors.append({"section": section, "file": fpname, "line": lineno, "message": "bad line"})
                State.renamed.add(section)
                progressed = True
        if State.missing_header is not None:
            fpname, lineno = State.missing_header
            errors.append({"section": None, "file": fpname, "line": lineno, "message": message})
            State.blank.setdefault(fpname, set()).add(lineno)
            continue
        if progressed:
            if "supervisord" in State.renamed:
                State.append_supervisord = main
            continue
        if message is None:
            break
        section = _fault_section(message)
        if section is None or section in State.renamed:
            raise SystemExit("%s: cannot place the error %r" % (main, message))
        errors.append({"section": section, "file": None, "line": None, "message": message})
        State.renamed.add(section)
        if section == "supervisord":
            State.append_supervisord = main
    else:
        raise SystemExit("%s: too many errors" % main)
    out = {"oracle": "supervisor " + version("supervisor"), "input": main, "fragment": fragment}
    out |= dump(opts)
    out["files"] = [configfile] + [m.split('"')[1] for m in opts.parse_infos]
    if fragment:
        out["files"] = out["files"][1:]
    out["errors"] = sorted(errors, key=lambda e: (e["section"] or "", e["line"] or 0))
    return out


# --- generated INI snippets -----------------------------------------------------------------

PIECES_HEADERS = ["[a]", "[A]", "[DEFAULT]", "[b]", "[a]x]", "[ c ]", "[program:web] ; c", "[]", "[a]trailing"]
PIECES_KEYS = ["k", "K", "Key", "x y", "command", "a.b", "", "k2"]
PIECES_DELIMS = ["=", ":", " = ", " : ", "\t=\t", "= ", "=:"]
PIECES_VALUES = ["v", "a;b", "a ;b", "a #b", "a#b", "'q ; r'", '"x # y"', "", "  spaced  ",
                 "%(here)s", "a\t;t", "u;v #w ;x", "a;b#c#d #e ;f", "x:y=z", ";lead", "#lead"]
PIECES_OTHER = ["", "   ", "; comment", "# comment", "  ; indented comment", "no delimiter line",
                "\tcontinued", "    deeper", "  more=1", "[x", "  [a]"]


def snippet(rng: random.Random) -> str:
    lines = [rng.choice(PIECES_HEADERS[:4])]
    for _ in range(rng.randint(1, 9)):
        r = rng.random()
        if r < 0.15:
            lines.append(rng.choice(PIECES_HEADERS))
        elif r < 0.65:
            indent = rng.choice(["", "", "", " ", "\t"])
            lines.append(indent + rng.choice(PIECES_KEYS) + rng.choice(PIECES_DELIMS) + rng.choice(PIECES_VALUES))
        else:
            lines.append(rng.choice(PIECES_OTHER))
    ending = rng.choice(["\n", "\n", "\r\n", "\r"])
    return ending.join(lines) + rng.choice([ending, ""])


PY313 = sys.version_info >= (3, 13)
if PY313:
    # CPython 3.13 collects ParsingErrors in _read_inner and raises them all at the end.
    _real_append = configparser.ParsingError.append

    def _append(self, lineno, line):
        State.line_errors.append(("snippet", lineno, State.current_section))
        return _real_append(self, lineno, line)

    configparser.ParsingError.append = _append


def read_snippet(text: str) -> dict:
    State.renamed = set()
    State.line_errors = []
    parser = so.UnhosedConfigParser()
    if PY313:
        State.current_section = None
        parser._read_inner(io.StringIO(text, newline=None), "snippet")
        parser._join_multiline_values()
    else:
        parser._read(io.StringIO(text, newline=None), "snippet")
    return {
        "text": text,
        "defaults": sorted(parser._defaults.items()),
        "sections": [[name, sorted(parser._sections[name].items())] for name in parser._sections],
        "errors": [[lineno, section] for _, lineno, section in State.line_errors],
    }


PY39 = sys.version_info < (3, 10)
INI_FIXTURE_VERSIONED = REPO / "tests" / "fixtures" / (
    "supervisord-ini-oracle-py313.json" if PY313 else
    "supervisord-ini-oracle-py39.json" if PY39 else "supervisord-ini-oracle.json")


def ini_fixture() -> str:
    rng = random.Random(20261201)
    cases = [read_snippet(snippet(rng)) for _ in range(600)]
    body = ",\n".join(json.dumps(c, sort_keys=True) for c in cases)
    return '{"cases": [\n' + body + '\n], "oracle": "supervisor %s UnhosedConfigParser"}\n' % version("supervisor")


# --- generated configurations ---------------------------------------------------------------

GEN_FIXTURE = REPO / "tests" / "fixtures" / "supervisord-generated-oracle.json"
GEN_ROOT = {
    "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/sh\n",
    "/etc/group": "root:x:0:\napp:x:1000:\n",
    "/etc/hostname": "gen-host\n",
    "/var/log/gen/.keep": "",
    "/home/app/.keep": "",
}
GEN_ENV = {"SITE": "shop", "RATE": "5%"}
ARGS = ["%(program_name)s", "%(process_num)02d", "%(process_num)x", "%(numprocs)d", "%(group_name)s",
        "%(host_node_name)s", "%(here)s", "%(ENV_SITE)s", "%(ENV_RATE)s", "%(ENV_PATH)s", "%(ENV_LOCAL)s",
        "%(ENV_NOPE)s", "'single ; quoted'", '"double \\" quoted"', "a\\ b", "%%", "50%", "--flag=x",
        "'unclosed", "$HOME", "%(process_num)-4d|", "#not-a-comment", " ;cut here"]
ENVS = ["A=1", 'B="x,y"', "C='q r'", "D=%(process_num)d", "E=x@y", "LOCAL=l%(process_num)d",
        "P=%(ENV_PATH)s", 'F="%(program_name)s"', "G=1;H=2"]
OPTIONS = {
    "autorestart": ["true", "false", "unexpected", "TRUE", "sometimes"],
    "stopsignal": ["TERM", "9", "usr2", "SIGHUP", "bogus", " int "],
    "exitcodes": ["0", "0,2", "", "1 , 3", "300"],
    "startsecs": ["1", "0", " 5", "x", "1_0"],
    "startretries": ["3", "0", "-1"],
    "stdout_logfile": ["AUTO", "NONE", "/var/log/gen/%(program_name)s-%(process_num)d.log",
                       "/nonexistent/x.log", "syslog", "~/out.log", "~app/out.log", "rel.log"],
    "stderr_logfile": ["auto", "off", "/var/log/gen/err.log"],
    "stdout_logfile_maxbytes": ["0", "1KB", "10mb", "5GB", "x"],
    "redirect_stderr": ["true", "false", "1"],
    "user": ["root", "app", "1000", "nobody", "0"],
    "umask": ["022", "0o77", "8", "7"],
    "priority": ["1", "100", "-5", "%(program_name)s", "999"],
    "stopasgroup": ["true", "false"],
    "killasgroup": ["true", "false"],
    "directory": ["%(here)s", "/srv/%(program_name)s", "~"],
    "autostart": ["false", "yes", "off"],
    "serverurl": ["AUTO", "unix:///run/s.sock"],
    "stopwaitsecs": ["10", "3600"],
}


def gen_programs(rng: random.Random, names: list, prefix: str) -> list:
    lines = []
    for i in range(rng.randint(1, 3)):
        name = prefix + str(i) if rng.random() < 0.85 else rng.choice(names or [prefix + "0"])
        names.append(name)
        lines.append("[program:%s]" % name)
        args = " ".join(rng.choice(ARGS) for _ in range(rng.randint(0, 4)))
        cmd = "/usr/bin/tool " + args
        if rng.random() < 0.2:
            cmd += "\n    --continued"
        lines.append("command=" + cmd)
        numprocs = rng.choice([1, 1, 2, 3])
        if numprocs > 1 or rng.random() < 0.3:
            lines.append("numprocs=%d" % numprocs)
            lines.append("process_name=" + rng.choice(["%(program_name)s_%(process_num)d", "%(program_name)s-%(process_num)02d", "%(program_name)s"]))
            if rng.random() < 0.3:
                lines.append("numprocs_start=%d" % rng.randint(-1, 5))
        if rng.random() < 0.5:
            lines.append("environment=" + ",".join(rng.sample(ENVS, rng.randint(1, 3))))
        for key in rng.sample(sorted(OPTIONS), rng.randint(0, 6)):
            lines.append("%s=%s" % (key, rng.choice(OPTIONS[key])))
        if rng.random() < 0.05:
            lines.append("this line has no delimiter")
    return lines


def gen_case(rng: random.Random) -> dict:
    """One generated configuration: host path -> text (the main file is /etc/supervisord.conf)."""
    lines = ["[supervisord]"]
    if rng.random() < 0.4:
        lines.append("environment=" + ",".join(rng.sample(ENVS[:4] + ENVS[6:7], rng.randint(1, 3))))
    if rng.random() < 0.2:
        lines.append("user=" + rng.choice(["root", "app"]))
    if rng.random() < 0.2:
        lines += ["[DEFAULT]", "startsecs=" + rng.choice(["7", "x"])]
    names = []
    lines += gen_programs(rng, names, "p")
    files = {}
    if rng.random() < 0.4:
        patterns = rng.choice([["conf.d/*.conf"], ["conf.d/b.conf", "conf.d/a.conf"],
                               ["/etc/conf.d/*.conf", "missing/*.ini"], ["conf.d/[ab].conf"]])
        lines += ["[include]", "files = " + " ".join(patterns)]
        for f in ["a", "b"][: rng.randint(1, 2)]:
            inc = []
            if rng.random() < 0.1:
                inc.append("command=/bin/headless")
            if rng.random() < 0.2:
                inc += ["[DEFAULT]", "stdout_logfile=%(here)s/%(program_name)s-" + f + ".log"]
            inc += gen_programs(rng, names, f)
            if rng.random() < 0.15:
                inc += ["[include]", "files = *.more"]
            if rng.random() < 0.2:
                inc += ["[supervisord]", "minfds=" + rng.choice(["2048", "lots"])]
            files["/etc/conf.d/%s.conf" % f] = "\n".join(inc) + "\n"
    if rng.random() < 0.3:
        lines += ["[fcgi-program:%s]" % rng.choice(["f", "p0"]),
                  "socket=" + rng.choice(["unix:///run/%(program_name)s.sock"] * 4 + ["tcp://127.0.0.1:9000"] * 2 + ["unix://rel.sock",
                                          "tcp://LOCALHOST:%d" % rng.choice([9000, 70000]),
                                          "tcp://h", "unix:///run//x/../f.sock", ""]),
                  "command=/usr/bin/php-cgi " + (rng.choice(ARGS) if rng.random() < 0.3 else "-c %(here)s")]
        for key, values in [("socket_owner", ["app", "app:app", "root:nogroup", "ghost"]),
                            ("socket_mode", ["0660", "9", "0o600"]),
                            ("socket_backlog", ["128", "0", "x"]),
                            ("user", ["app", "app", "root", "ghost", "%(program_name)s"]),
                            ("numprocs", ["2"]),
                            ("process_name", ["%(program_name)s_%(process_num)d"])]:
            if rng.random() < 0.4:
                lines.append("%s=%s" % (key, rng.choice(values)))
        names.append("f")
    if rng.random() < 0.25:
        lines += ["[eventlistener:%s]" % rng.choice(["ev", "ev x"]),
                  "command=/usr/bin/memmon -p " + (rng.choice(ARGS) if rng.random() < 0.3 else "app=200MB"),
                  "events=" + rng.choice(["TICK_60"] * 3 + ["tick_5, PROCESS_STATE"] * 2 + ["", "BOGUS", "TICK_60,"])]
        for key, values in [("buffer_size", ["10", "0", "x"]), ("redirect_stderr", ["false", "true"]),
                            ("priority", ["-1", "5"]), ("result_handler", ["supervisor.dispatchers:default_handler"])]:
            if rng.random() < 0.3:
                lines.append("%s=%s" % (key, rng.choice(values)))
    if rng.random() < 0.3:
        members = rng.sample(names, rng.randint(1, len(names))) + (["ghost"] if rng.random() < 0.2 else [])
        lines += ["[group:g]", "programs=" + ",".join(members)]
        if rng.random() < 0.5:
            lines.append("priority=" + rng.choice(["5", "1000"]))
    files["/etc/supervisord.conf"] = "\n".join(lines) + "\n"
    return files


def generated_fixture() -> str:
    rng = random.Random(20261202)
    cases = []
    for _ in range(300):
        files = gen_case(rng)
        with tempfile.TemporaryDirectory() as tmp:
            for path, text in (GEN_ROOT | files).items():
                os.makedirs(os.path.dirname(tmp + path), exist_ok=True)
                with open(tmp + path, "w") as f:
                    f.write(text)
            cases.append({"files": files, "result": run_config(tmp, "/etc/supervisord.conf", GEN_ENV, None)})
    body = ",\n".join(json.dumps(c, sort_keys=True) for c in cases)
    head = json.dumps({"env": GEN_ENV, "root": GEN_ROOT}, sort_keys=True)
    return '{"setup": %s,\n"cases": [\n%s\n]}\n' % (head, body)


def case_fixtures() -> dict:
    if PY313:
        return {INI_FIXTURE_VERSIONED: ini_fixture()}
    out = {}
    for d in CASE_DIRS:
        if not d.is_dir():
            continue
        for case in sorted(d.iterdir()):
            if (case / "input").is_file():
                out[case / "oracle.json"] = json.dumps(run_case(case), indent=1, sort_keys=True) + "\n"
    out[INI_FIXTURE_VERSIONED] = ini_fixture()
    out[GEN_FIXTURE] = generated_fixture()
    return out


def main() -> int:
    if sys.version_info[:2] not in ((3, 9), (3, 10), (3, 11), (3, 12), (3, 13)):
        print("supervisor_oracle.py: run it with CPython 3.9 to 3.13; this is %s"
              % sys.version.split()[0], file=sys.stderr)
        return 2
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a fixture is not current")
    args = ap.parse_args()
    stale = []
    for path, text in case_fixtures().items():
        current = path.read_text() if path.exists() else None
        if current != text:
            stale.append(path)
            if not args.check:
                path.write_text(text)
    if args.check and stale:
        for p in stale:
            print("stale: %s" % p.relative_to(REPO), file=sys.stderr)
        print("run tests/oracle/supervisor_oracle.py to regenerate", file=sys.stderr)
        return 1
    if not args.check:
        for p in stale:
            print("wrote %s" % p.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
