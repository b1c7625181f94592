#!/usr/bin/env python3
"""Independent cron "next fire time" oracle for systemdify.

What it is
----------
This script produces ``tests/fixtures/cron-oracle.json``: for a fixed list of
crontab schedules, the first 50 fire times (UTC epoch seconds) strictly after a
base instant, evaluated on the local wall clock of a time zone ("UTC" and
"Europe/Berlin").  The times come from the PyPI package ``cronsim`` (pinned in
``requirements.txt``), which implements Debian/Vixie cron semantics including
the day-of-month/day-of-week rule: both fields are ORed when both are
restricted, where a field counts as unrestricted ("star") iff its first
character is ``*`` (so ``*/2`` in a day field gives AND).  The Rust code never
calls this script; it only reads the frozen fixture.

cronsim is wrong on one thing, and the oracle corrects it: a range whose two
ends are the same value, with a step (``55-55/4``, ``mon-mon/2``).  cronsim
reads the range as its single value and that value with a step as "from here
to the field's maximum" (``55/4`` = 55 and 59).  Vixie cron expands every
range with ``for (i = a; i <= b; i += step)`` (entry.c ``get_range``), which for
a == b gives the one value ``a``.  ``vixie_ranges`` rewrites each such element
to its single value before cronsim sees the schedule (a range never starts
with ``*``, so the day-field rule is unaffected); the self-test checks both
that cronsim still has the bug and that the rewrite gives Vixie's answer.

The schedule list is
  (a) every non-empty, non-comment line of ``tests/oracle/schedules.txt``
      (hand-picked hard cases), in file order, then
  (b) exactly 2000 schedules generated with ``random.Random(20261125)``; each is
      checked against a small Vixie-cron grammar validator below, then
  (c) the hand-picked single-value ranges with a step in ``SINGLE_RANGE_CASES``,
      then exactly 200 schedules generated with ``random.Random(20261126)`` in
      which one to three fields hold such ranges (``a-a/n``); (c) comes last so
      that adding it left the bases of (a) and (b) as they were.
For each schedule and zone, ONE base instant is taken from ``BASES`` (index
``(schedule_index + zone_index) % len(BASES)``).  Fire times are collected
until 50 are found or the next one lies more than ``LIMIT_SECONDS`` (3653 days,
i.e. ten years) after the base; schedules that can never fire (e.g.
``0 0 30 2 *``) get an empty list.

cronsim does not parse ``@`` words, so they are expanded here exactly as Vixie
cron's entry.c sets its bit masks: @yearly/@annually = ``0 0 1 1 *``,
@monthly = ``0 0 1 * *``, @weekly = ``0 0 * * 0``, @daily/@midnight =
``0 0 * * *``, @hourly = ``0 * * * *``.  The fixture keeps the original text.

Time zones are loaded only from the pinned ``tzdata`` package (the system zone
database is ignored) so that output is identical on every machine.

Before generating anything the script self-tests the oracle against reference
cases that were independently verified with croniter (implement_cron_bug=True).

DST (Europe/Berlin) is NOT part of the contract: the Rust tests skip the DST
transition days.  For the record, cronsim 2.8 behaves like this:
  * schedules whose minute AND hour fields do not start with ``*`` ("fixed
    time" jobs, e.g. ``30 2 * * *``) are matched on the naive wall clock:
    a time in the spring gap fires once at the first existing minute after
    it (03:00 CEST on 2025-03-30; ``15,45 2 * * *`` fires only once, at
    03:00); a time in the repeated autumn hour fires once, at its first
    (CEST) occurrence;
  * other schedules (``0,30 * * * *``, ``*/30 1-3 * * *``) step through real
    time: nothing fires in the spring gap, and both occurrences of the
    repeated autumn hour fire (02:00/02:30 CEST and again 02:00/02:30 CET).

Fixture format (one case per line, keys sorted, no generation timestamp)::

  {"cases": [
  {"base": 1735689630, "next": [1735705800, ...], "schedule": "30 4 1,15 * 5", "zone": "UTC"},
  ...
  ], "oracle": "cronsim 2.8"}

How to run (from the repository root)
-------------------------------------
  python3 -m venv /tmp/oracle \\
    && /tmp/oracle/bin/pip install -r tests/oracle/requirements.txt \\
    && /tmp/oracle/bin/python tests/oracle/cron_oracle.py

  /tmp/oracle/bin/python tests/oracle/cron_oracle.py --check
      regenerate in memory; exit 1 if tests/fixtures/cron-oracle.json differs.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import zoneinfo
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

# Use the pinned tzdata package only, never /usr/share/zoneinfo.
zoneinfo.reset_tzpath(to=[])

from cronsim import CronSim, CronSimError  # noqa: E402

HERE = Path(__file__).resolve().parent
SCHEDULES_FILE = HERE / "schedules.txt"
FIXTURE_FILE = HERE.parent / "fixtures" / "cron-oracle.json"

SEED = 20261125
GENERATED_COUNT = 2000
SINGLE_RANGE_CASES = [
    "55-55/4 * * * *",
    "0 3-3/2 * * *",
    "0 0 10-10/5 * *",
    "0 0 1 5-5/3 *",
    "0 0 * * mon-mon/2",
    "0 0 * * 7-7/2",
    "0,55-55/4 12 * * *",
]
SINGLE_RANGE_SEED = 20261126
SINGLE_RANGE_COUNT = 200
ZONES = ["UTC", "Europe/Berlin"]
MAX_FIRES = 50
LIMIT_SECONDS = 3653 * 86400  # ten years (3653 days) after the base


def _utc(s: str) -> int:
    return int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


BASES = [
    _utc("2025-01-01T00:00:30Z"),
    _utc("2025-03-28T12:00:00Z"),  # just before the Berlin spring-forward (2025-03-30)
    _utc("2025-10-24T12:00:00Z"),  # just before the Berlin fall-back (2025-10-26)
    _utc("2028-02-20T00:00:30Z"),  # leap year
    _utc("2025-12-30T23:59:30Z"),  # year boundary
    _utc("2025-01-03T16:30:30Z"),  # a Friday afternoon
]

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

MONTH_NAMES = "jan feb mar apr may jun jul aug sep oct nov dec".split()
DOW_NAMES = "sun mon tue wed thu fri sat".split()

# name, low, high, names (index 0 corresponds to value `low`)
FIELDS = [
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("dom", 1, 31, None),
    ("month", 1, 12, MONTH_NAMES),
    ("dow", 0, 7, DOW_NAMES),  # 7 is Sunday too; names cover 0..6 only
]


# --------------------------------------------------------------------------
# Vixie grammar validator (independent of the oracle)
# --------------------------------------------------------------------------

def _value(tok: str, field) -> int | None:
    _, lo, hi, names = field
    if tok.isdigit():
        v = int(tok)
        return v if lo <= v <= hi else None
    if names and tok.lower() in names:
        return names.index(tok.lower()) + (1 if field[0] == "month" else 0)
    return None


def _valid_element(el: str, field) -> bool:
    base, slash, step = el.partition("/")
    if slash and not (step.isdigit() and int(step) >= 1):
        return False
    if base == "*":
        return True
    a, dash, b = base.partition("-")
    va = _value(a, field)
    if va is None:
        return False
    if not dash:
        return not slash  # `N/step` without a range is invalid in Vixie cron
    vb = _value(b, field)
    return vb is not None and va <= vb


def vixie_valid(expr: str) -> bool:
    if expr.startswith("@"):
        return expr in MACROS
    parts = expr.split()
    if len(parts) != 5:
        return False
    return all(
        all(el and _valid_element(el, field) for el in part.split(","))
        for part, field in zip(parts, FIELDS)
    )


# --------------------------------------------------------------------------
# Oracle
# --------------------------------------------------------------------------

def _tz(zone: str):
    return timezone.utc if zone == "UTC" else zoneinfo.ZoneInfo(zone)


def vixie_ranges(expr: str) -> str:
    """`expr` with every single-value range with a step (`55-55/4`) written as its one
    value (`55`), as Vixie's `for (i = a; i <= b; i += step)` reads it; cronsim would take
    `55-55/4` for `55/4` (55 and 59)."""
    if expr.startswith("@"):
        return expr
    out = []
    for part, field in zip(expr.split(), FIELDS):
        elements = []
        for el in part.split(","):
            base, slash, _step = el.partition("/")
            a, dash, b = base.partition("-")
            if slash and dash and _value(a, field) is not None and _value(a, field) == _value(b, field):
                el = a
            elements.append(el)
        out.append(",".join(elements))
    return " ".join(out)


def next_fires(expr: str, zone: str, base: int, count: int = MAX_FIRES,
               correct: bool = True) -> list[int]:
    """First `count` fire times (epoch s) strictly after `base`, within LIMIT_SECONDS.
    `correct=False` asks cronsim without the single-value range correction."""
    cron = MACROS.get(expr, expr)
    if correct:
        cron = vixie_ranges(cron)
    start = datetime.fromtimestamp(base, _tz(zone))
    try:
        it = CronSim(cron, start)
    except CronSimError as e:
        # cronsim rejects AND-combined day fields that can never match
        # (e.g. `0 0 30 2 *`).  Such a schedule is valid for Vixie cron, it
        # just never fires.  Anything else is a genuine error.
        if vixie_valid(expr) and str(e) == "Bad day-of-month":
            return []
        raise
    out: list[int] = []
    limit = base + LIMIT_SECONDS
    while len(out) < count:
        try:
            t = int(next(it).timestamp())
        except StopIteration:  # cronsim gives up after 50 years
            break
        if t > limit:
            break
        assert t > base and (not out or t > out[-1]), (expr, zone, base, t)
        out.append(t)
    return out


# Independently verified with croniter (implement_cron_bug=True), UTC.
REFERENCE = [
    ("30 4 1,15 * 5", "2025-01-01T00:00:30Z",
     ["2025-01-01T04:30:00Z", "2025-01-03T04:30:00Z", "2025-01-10T04:30:00Z",
      "2025-01-15T04:30:00Z", "2025-01-17T04:30:00Z"]),
    ("0 9 1-7 * mon", "2025-01-01T00:00:30Z",
     ["2025-01-01T09:00:00Z", "2025-01-02T09:00:00Z", "2025-01-03T09:00:00Z",
      "2025-01-04T09:00:00Z", "2025-01-05T09:00:00Z"]),
    ("0 0 29 2 1", "2028-02-20T00:00:30Z",
     ["2028-02-21T00:00:00Z", "2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z",
      "2029-02-05T00:00:00Z", "2029-02-12T00:00:00Z"]),
    ("0 0 */2 * 1", "2025-01-01T00:00:30Z",
     ["2025-01-13T00:00:00Z", "2025-01-27T00:00:00Z", "2025-02-03T00:00:00Z",
      "2025-02-17T00:00:00Z", "2025-03-03T00:00:00Z"]),
    ("0 0 1,15 * */2", "2025-01-01T00:00:30Z",
     ["2025-02-01T00:00:00Z", "2025-02-15T00:00:00Z", "2025-03-01T00:00:00Z",
      "2025-03-15T00:00:00Z", "2025-04-01T00:00:00Z"]),
    ("0 0 1-31 * 1", "2025-01-01T00:00:30Z",
     ["2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z",
      "2025-01-05T00:00:00Z", "2025-01-06T00:00:00Z"]),
    ("0 0 * * 4-7", "2025-01-01T00:00:30Z",
     ["2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z",
      "2025-01-05T00:00:00Z", "2025-01-09T00:00:00Z"]),
    ("*/20 9-17/4 * * mon-fri", "2025-01-03T16:30:30Z",
     ["2025-01-03T17:00:00Z", "2025-01-03T17:20:00Z", "2025-01-03T17:40:00Z",
      "2025-01-06T09:00:00Z", "2025-01-06T09:20:00Z"]),
    ("@weekly", "2025-01-01T00:00:30Z",
     ["2025-01-05T00:00:00Z", "2025-01-12T00:00:00Z", "2025-01-19T00:00:00Z",
      "2025-01-26T00:00:00Z", "2025-02-02T00:00:00Z"]),
    ("0 0 30 2 *", "2025-01-01T00:00:30Z", []),
]


# Single-value ranges with a step, as Vixie's loop reads them (one value), and as cronsim
# reads them on its own (the value with a step up to the field's maximum).
SINGLE_RANGES = [
    ("55-55/4 * * * *", "2025-01-01T00:00:30Z",
     ["2025-01-01T00:55:00Z", "2025-01-01T01:55:00Z", "2025-01-01T02:55:00Z"],
     ["2025-01-01T00:55:00Z", "2025-01-01T00:59:00Z", "2025-01-01T01:55:00Z"]),
    ("0 0 * * mon-mon/2", "2025-01-01T00:00:30Z",
     ["2025-01-06T00:00:00Z", "2025-01-13T00:00:00Z", "2025-01-20T00:00:00Z"],
     ["2025-01-03T00:00:00Z", "2025-01-05T00:00:00Z", "2025-01-06T00:00:00Z"]),
]


def self_test() -> None:
    for expr, base, expected in REFERENCE:
        got = next_fires(expr, "UTC", _utc(base), count=5)
        want = [_utc(s) for s in expected]
        if got != want:
            sys.exit(f"oracle self-test failed for {expr!r}: got {got}, want {want}")
    for expr, base, vixie, cronsim_alone in SINGLE_RANGES:
        got = next_fires(expr, "UTC", _utc(base), count=3)
        if got != [_utc(s) for s in vixie]:
            sys.exit(f"oracle self-test failed for {expr!r}: got {got}, want Vixie's {vixie}")
        raw = next_fires(expr, "UTC", _utc(base), count=3, correct=False)
        if raw != [_utc(s) for s in cronsim_alone]:
            sys.exit(f"cronsim no longer reads {expr!r} as a value with a step to the maximum "
                     f"(got {raw}): check whether vixie_ranges() is still needed")


# --------------------------------------------------------------------------
# Schedule generation
# --------------------------------------------------------------------------

def _fmt_case(rng: random.Random, name: str) -> str:
    style = rng.randrange(4)
    if style == 0:
        return name
    if style == 1:
        return name.upper()
    if style == 2:
        return name.capitalize()
    return "".join(c.upper() if rng.random() < 0.5 else c for c in name)


# Weights of: star, number, list, range, range/step, */n
KIND_WEIGHTS = {
    "minute": [25, 25, 15, 10, 10, 15],
    "hour": [35, 25, 15, 10, 7, 8],
    "dom": [55, 12, 10, 10, 5, 8],
    "month": [60, 8, 12, 10, 5, 5],
    "dow": [50, 12, 12, 14, 6, 6],
}
STAR_STEP_MAX = {"minute": 30, "hour": 12, "dom": 15, "month": 6, "dow": 3}


def gen_field(rng: random.Random, field) -> tuple[str, set[int]]:
    name, lo, hi, names = field
    use_names = names is not None and rng.random() < 0.4

    def render(v: int) -> str:
        if use_names and not (name == "dow" and v == 7):
            return _fmt_case(rng, names[v - (1 if name == "month" else 0)])
        return str(v)

    def rand_range() -> tuple[int, int]:
        a = rng.randint(lo, hi - 1)
        b = rng.randint(a + 1, hi)
        return a, b

    kind = rng.choices(range(6), weights=KIND_WEIGHTS[name])[0]
    if kind == 0:
        return "*", set(range(lo, hi + 1))
    if kind == 1:
        v = rng.randint(lo, hi)
        return render(v), {v}
    if kind == 2:
        items: list[tuple[str, set[int], int]] = []
        used: set[int] = set()
        for _ in range(rng.randint(2, 4)):
            if rng.random() < 0.2:
                a, b = rand_range()
                b = min(b, a + rng.randint(1, 5))
                vals = set(range(a, b + 1))
                items.append((f"{render(a)}-{render(b)}", vals, a))
            else:
                v = rng.randint(lo, hi)
                if v in used:
                    continue
                vals = {v}
                items.append((render(v), vals, v))
            used |= vals
        if len(items) < 2:
            v = next(x for x in range(lo, hi + 1) if x not in used)
            items.append((render(v), {v}, v))
        if rng.random() < 0.8:
            items.sort(key=lambda it: it[2])
        return ",".join(t for t, _, _ in items), set().union(*(s for _, s, _ in items))
    if kind == 3:
        a, b = rand_range()
        return f"{render(a)}-{render(b)}", set(range(a, b + 1))
    if kind == 4:
        a, b = rand_range()
        n = rng.randint(1, max(1, min(b - a, STAR_STEP_MAX[name] * 2)))
        return f"{render(a)}-{render(b)}/{n}", set(range(a, b + 1, n))
    n = rng.randint(2, STAR_STEP_MAX[name])
    return f"*/{n}", set(range(lo, hi + 1, n))


def fires_per_year(texts: list[str], sets: list[set[int]]) -> float:
    mins, hours, dom, mon, dow = sets
    dow = {d % 7 for d in dow}
    fdom, fdow, fmon = len(dom) / 31, len(dow) / 7, len(mon) / 12
    if texts[2].startswith("*") or texts[4].startswith("*"):
        fday = fdom * fdow
    else:
        fday = 1 - (1 - fdom) * (1 - fdow)
    return 365 * fmon * fday * len(hours) * len(mins)


def generate(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        if rng.random() < 0.03:
            expr = rng.choice(sorted(MACROS))
        else:
            gen = [gen_field(rng, f) for f in FIELDS]
            texts = [t for t, _ in gen]
            # Keep only ~15% of the schedules expected to fire < 10 times a
            # year: they would not reach 50 fire times within ten years.
            if fires_per_year(texts, [s for _, s in gen]) < 10 and rng.random() < 0.85:
                continue
            expr = " ".join(texts)
            if expr in taken:  # 5-field schedules are unique; @words may repeat
                continue
        if not vixie_valid(expr):
            raise AssertionError(f"generated invalid schedule {expr!r}")
        taken.add(expr)
        out.append(expr)
    return out


def generate_single_ranges(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """Schedules where one to three fields are lists holding `a-a/n` elements."""
    out: list[str] = []
    while len(out) < count:
        gen = [gen_field(rng, f) for f in FIELDS]
        texts = [t for t, _ in gen]
        for i in rng.sample(range(5), rng.randint(1, 3)):
            name, lo, hi, names = FIELDS[i]
            v = rng.randint(lo, hi - 1 if name == "dow" else hi)
            a = v
            if names is not None and rng.random() < 0.4:
                a = _fmt_case(rng, names[v - (1 if name == "month" else 0)])
            el = f"{a}-{a}/{rng.randint(1, STAR_STEP_MAX[name] * 2)}"
            if rng.random() < 0.3:
                extra = rng.randint(lo, hi)
                el = f"{el},{extra}" if extra > v else f"{extra},{el}"
            texts[i] = el
        expr = " ".join(texts)
        if expr in taken:
            continue
        if not vixie_valid(expr):
            raise AssertionError(f"generated invalid schedule {expr!r}")
        taken.add(expr)
        out.append(expr)
    return out


def schedules() -> list[str]:
    hand = []
    for line in SCHEDULES_FILE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not vixie_valid(line):
            sys.exit(f"{SCHEDULES_FILE}: not a valid Vixie cron schedule: {line!r}")
        hand.append(line)
    taken = set(hand)
    generated = generate(random.Random(SEED), GENERATED_COUNT, taken)
    taken |= set(SINGLE_RANGE_CASES)
    single = generate_single_ranges(random.Random(SINGLE_RANGE_SEED), SINGLE_RANGE_COUNT, taken)
    return hand + generated + SINGLE_RANGE_CASES + single


# --------------------------------------------------------------------------
# Fixture
# --------------------------------------------------------------------------

def build() -> str:
    self_test()
    lines = []
    for i, expr in enumerate(schedules()):
        for z, zone in enumerate(ZONES):
            base = BASES[(i + z) % len(BASES)]
            case = {"schedule": expr, "zone": zone, "base": base,
                    "next": next_fires(expr, zone, base)}
            lines.append(json.dumps(case, sort_keys=True, separators=(",", ":")))
    oracle = json.dumps(f"cronsim {version('cronsim')}")
    return '{"cases":[\n' + ",\n".join(lines) + '\n],"oracle":' + oracle + "}\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="regenerate in memory and fail if the fixture differs")
    ap.add_argument("--output", type=Path, default=FIXTURE_FILE)
    args = ap.parse_args()
    text = build()
    if args.check:
        old = args.output.read_text() if args.output.exists() else ""
        if old != text:
            print(f"{args.output} is out of date with tests/oracle/cron_oracle.py "
                  f"(or a different cronsim/tzdata version is installed); "
                  f"regenerate it with: python tests/oracle/cron_oracle.py",
                  file=sys.stderr)
            old_lines, new_lines = old.splitlines(), text.splitlines()
            for n, (a, b) in enumerate(zip(old_lines, new_lines), start=1):
                if a != b:
                    print(f"first difference at line {n}:\n  fixture:   {a[:200]}\n"
                          f"  generated: {b[:200]}", file=sys.stderr)
                    break
            else:
                print(f"fixture has {len(old_lines)} lines, generated {len(new_lines)}",
                      file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"wrote {args.output} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
