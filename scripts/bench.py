#!/usr/bin/env python3
"""Whole-host benchmark of systemdify against the peer tools (run by scripts/bench.sh).

Builds synthetic hosts (1x, 10x, 100x) from the corpus and from real Debian packages it
downloads (apt-get download, dpkg-deb -x) into a cache outside the repository, then times,
pair by pair (A B A B ...), each systemdify command against its peer on the same inputs:

  sysv     convert --from sysv of every init script   vs systemd-sysv-generator (installed systemd)
  cron     convert --from cron of every cron.d file   vs Debian 12's systemd-crontab-generator
  scan     scan --root of the whole host               vs the floor (read every input, create as
                                                          many files with open-write-close)
  jobs     scan --jobs 2                               vs scan --jobs 1 (outputs compared byte for byte)

and prints each figure's min / median / max, the ratios pair by pair, the growth from 10x to
100x and the peak memory (the kernel's maxrss of each run, from wait4). Nothing it downloads or
builds goes into the repository.

Environment: BENCH_CACHE (default /var/tmp/systemdify-bench), BENCH_RUNS (default 5),
BENCH_SCALES (default "1 10 100"), BENCH_LAYOUTS (default "debian rhel"),
BENCH_HEADERS (default "lsb none"; "none", every script without its LSB header, only up to 10x),
BENCH_BIN (default target/release/systemdify), BENCH_OUT (where outputs go; default /dev/shm).
"""

import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("BENCH_CACHE", "/var/tmp/systemdify-bench")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "1 10 100").split()]
LAYOUTS = os.environ.get("BENCH_LAYOUTS", "debian rhel").split()
HEADERS = os.environ.get("BENCH_HEADERS", "lsb none").split()
BIN = os.environ.get("BENCH_BIN", os.path.join(REPO, "target/release/systemdify"))
SYSV_GENERATOR = "/lib/systemd/system-generators/systemd-sysv-generator"
OUT_DIR = os.environ.get("BENCH_OUT", "/dev/shm" if os.path.isdir("/dev/shm") else None)

# Debian 12 packages that ship init scripts (/etc/init.d) or cron.d files.
PACKAGES = """
openssh-server cron anacron rsyslog postfix exim4-base bind9 isc-dhcp-server nfs-kernel-server
nfs-common rpcbind samba winbind mariadb-server postgresql-common redis-server memcached haproxy
squid dnsmasq ntpsec chrony openntpd cups-daemon avahi-daemon dbus udev procps kmod
console-setup-linux ifupdown lvm2 mdadm smartmontools sysstat apparmor auditd fail2ban ufw
netfilter-persistent nut-server nut-client openvpn strongswan-starter xinetd openbsd-inetd
sane-utils lighttpd varnish slapd nscd unscd nslcd autofs quota rsync uuid-runtime x11-common
lightdm bluez alsa-utils speech-dispatcher cpufrequtils irqbalance acpid apcupsd at minidlna
tftpd-hpa vsftpd proftpd-core pure-ftpd dovecot-core spamd clamav-daemon clamav-freshclam
amavisd-new opendkim postgrey sasl2-bin munin-node munin nagios-nrpe-server zabbix-agent
collectd-core snmpd prometheus-node-exporter monit supervisor uwsgi php8.2-fpm hostapd
rng-tools5 haveged gpm fancontrol lm-sensors cgroupfs-mount lxc libvirt-daemon-system open-iscsi
multipath-tools tgt drbd-utils keepalived corosync pacemaker ctdb openvswitch-switch radvd
isc-dhcp-relay bird2 frr privoxy tor stunnel4 syslog-ng-core lldpd smokeping e2fsprogs certbot
cron-apt tiger logcheck roundcube-core awstats cacti rsnapshot backuppc dirvish php-common
popularity-contest apticron mrtg debsecan
""".split()


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------
# Inputs
# ------------------------------------------------------------------------------------------

def fetch():
    """Downloads and unpacks the packages (once); returns the unpacked roots."""
    debs = os.path.join(CACHE, "debs")
    unpacked = os.path.join(CACHE, "x")
    os.makedirs(debs, exist_ok=True)
    os.makedirs(unpacked, exist_ok=True)
    have = {f.split("_")[0] for f in os.listdir(debs) if f.endswith(".deb")}
    missing = [p for p in PACKAGES if p not in have]
    for p in missing:
        r = subprocess.run(["apt-get", "download", p], cwd=debs, capture_output=True)
        if r.returncode != 0:
            log(f"    apt-get download {p} failed (run apt-get update first?); skipped")
    roots = []
    for f in sorted(os.listdir(debs)):
        if not f.endswith(".deb"):
            continue
        dest = os.path.join(unpacked, f[:-4])
        if not os.path.isdir(dest):
            subprocess.run(["dpkg-deb", "-x", os.path.join(debs, f), dest], check=True)
        roots.append(dest)
    return roots


def systemd_cron_generator():
    """Debian 12's Python generator, its paths moved under $BENCH_ROOT (a copy in the cache)."""
    peer = os.path.join(CACHE, "peer")
    os.makedirs(peer, exist_ok=True)
    gen = os.path.join(peer, "systemd-crontab-generator")
    if os.path.exists(gen):
        return gen
    if not any(f.startswith("systemd-cron_") for f in os.listdir(peer)):
        subprocess.run(["apt-get", "download", "systemd-cron"], cwd=peer, check=True,
                       capture_output=True)
    deb = next(f for f in os.listdir(peer) if f.startswith("systemd-cron_"))
    subprocess.run(["dpkg-deb", "-x", deb, "sc"], cwd=peer, check=True)
    text = open(os.path.join(peer, "sc/lib/systemd/system-generators/systemd-crontab-generator")).read()
    text = text.replace("import errno\n", "import errno\nROOT = os.environ.get('BENCH_ROOT', '')\n", 1)
    for p in ("/etc/crontab", "/etc/cron.d", "/etc/anacrontab", "/var/spool/cron/crontabs"):
        text = text.replace(f"'{p}'", f"ROOT + '{p}'")
    text = text.replace("'/etc/cron.' + period", "ROOT + '/etc/cron.' + period")
    with open(gen, "w") as f:
        f.write(text)
    os.chmod(gen, 0o755)
    return gen


def corpus_files(pattern):
    out = []
    for fmt in sorted(os.listdir(os.path.join(REPO, "corpus"))):
        for case in sorted(os.listdir(os.path.join(REPO, "corpus", fmt))):
            root = os.path.join(REPO, "corpus", fmt, case, "root")
            for dirpath, _, names in os.walk(root):
                for n in sorted(names):
                    p = os.path.join(dirpath, n)
                    rel = "/" + os.path.relpath(p, root)
                    if re.fullmatch(pattern, rel) and os.path.isfile(p) and not os.path.islink(p):
                        out.append((case, rel, p))
    return out


def sources(roots):
    """The init scripts, cron.d files, spools and supervisord fragments a 1x host holds."""
    init, cron, seen_i, seen_c = [], [], set(), set()
    # Cases whose inputs are errors on purpose or need options (--dialect cronie, --env-file).
    skip_cases = {"bad-input", "syntax-errors", "bad-lines", "cronie", "broken-sections",
                  "debian-django-celery"}
    for case, rel, p in corpus_files(r"/etc/(rc\.d/)?init\.d/[^/]+"):
        n = os.path.basename(p)
        if case not in skip_cases and n not in seen_i:
            seen_i.add(n)
            init.append((n, open(p, "rb").read()))
    for case, rel, p in corpus_files(r"/etc/cron\.d/[^/.]+"):
        n = os.path.basename(p)
        if case not in skip_cases and n not in seen_c:
            seen_c.add(n)
            cron.append((n, open(p, "rb").read()))
    for root in roots:
        for sub, lst, seen in (("etc/init.d", init, seen_i), ("etc/cron.d", cron, seen_c)):
            d = os.path.join(root, sub)
            if not os.path.isdir(d):
                continue
            for n in sorted(os.listdir(d)):
                p = os.path.join(d, n)
                if os.path.islink(p) or not os.path.isfile(p) or n in seen or n.startswith("."):
                    continue
                if sub == "etc/init.d" and not open(p, "rb").read(2) == b"#!":
                    continue
                seen.add(n)
                lst.append((n, open(p, "rb").read()))
    spools = [open(p, "rb").read() for _, _, p in corpus_files(r"/var/spool/cron/crontabs/[^/]+")]
    sup = [(os.path.basename(p), open(p, "rb").read())
           for case, _, p in corpus_files(r"/etc/supervisor/conf\.d/[^/]+\.conf")
           if case not in skip_cases]
    main_conf = next(open(p, "rb").read()
                     for case, _, p in corpus_files(r"/etc/supervisor/supervisord\.conf")
                     if case == "debian-django-celery")
    passwd = {}
    for _, _, p in corpus_files(r"/etc/passwd"):
        for line in open(p, encoding="utf-8", errors="replace"):
            if ":" in line:
                passwd.setdefault(line.split(":")[0], line.rstrip("\n"))
    for line in open("/etc/passwd", encoding="utf-8", errors="replace"):
        if ":" in line:
            passwd.setdefault(line.split(":")[0], line.rstrip("\n"))
    support = [os.path.join(REPO, "corpus", fmt, case, "root", top)
               for fmt in sorted(os.listdir(os.path.join(REPO, "corpus")))
               for case in sorted(os.listdir(os.path.join(REPO, "corpus", fmt)))
               for top in ("bin", "home", "lib", "opt", "run", "srv", "usr", "var")
               if os.path.isdir(os.path.join(REPO, "corpus", fmt, case, "root", top))]
    return init, cron, spools, sup, main_conf, passwd, support


LSB = re.compile(rb"^### BEGIN INIT INFO.*?^### END INIT INFO[^\n]*\n", re.M | re.S)


def build_host(dest, copies, layout, headers, src):
    """A host tree at `dest` with `copies` renamed copies of every source, rc?.d links for each
    init script; returns (init script host paths, cron.d host paths)."""
    init, cron, spools, sup, main_conf, passwd, support = src
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    # The programs, log and run directories the corpus cases' inputs name.
    for top in support:
        shutil.copytree(top, os.path.join(dest, os.path.basename(top)), symlinks=True,
                        dirs_exist_ok=True, ignore=shutil.ignore_patterns("crontabs"))
    rhel = layout == "rhel"
    initd = "etc/rc.d/init.d" if rhel else "etc/init.d"
    rcd = (lambda l: f"etc/rc.d/rc{l}.d") if rhel else (lambda l: f"etc/rc{l}.d")
    for d in [initd, "etc/cron.d", "var/spool/cron/crontabs", "etc/supervisor/conf.d",
              "var/log/supervisor", "bin", "usr/bin", "usr/sbin"] + [rcd(l) for l in "0123456S"]:
        os.makedirs(os.path.join(dest, d), exist_ok=True)
    if rhel:
        os.symlink("rc.d/init.d", os.path.join(dest, "etc/init.d"))
        for l in "0123456":
            os.symlink(f"rc.d/rc{l}.d", os.path.join(dest, f"etc/rc{l}.d"))
    for p in ("bin/sh", "bin/bash", "usr/bin/run-parts", "usr/sbin/sendmail"):
        with open(os.path.join(dest, p), "w") as f:
            f.write("#!/bin/sh\n")
        os.chmod(os.path.join(dest, p), 0o755)
    users = dict(passwd)
    init_paths, cron_paths = [], []
    for k in range(1, copies + 1):
        for name, data in init:
            new = f"{name}-{k}"
            body = re.sub(rb"^(# Provides:[ \t]*)\S+", lambda m: m.group(1) + new.encode(), data,
                          count=1, flags=re.M)
            if headers == "none":
                body = LSB.sub(b"", body)
            path = os.path.join(dest, initd, new)
            with open(path, "wb") as f:
                f.write(body)
            os.chmod(path, 0o755)
            init_paths.append(f"/{initd}/{new}")
            prio = 10 + int(hashlib.sha256(name.encode()).hexdigest(), 16) % 80
            for l in "2345":
                os.symlink(f"../init.d/{new}", os.path.join(dest, rcd(l), f"S{prio:02d}{new}"))
            for l in "016":
                os.symlink(f"../init.d/{new}", os.path.join(dest, rcd(l), f"K{100 - prio:02d}{new}"))
        for name, data in cron:
            new = f"{name}-{k}"
            with open(os.path.join(dest, "etc/cron.d", new), "wb") as f:
                f.write(data)
            cron_paths.append(f"/etc/cron.d/{new}")
        for i, data in enumerate(spools):
            user = f"bench{k}x{i}"
            users[user] = f"{user}:x:{20000 + k * 10 + i}:{20000 + k * 10 + i}::/home/{user}:/bin/sh"
            with open(os.path.join(dest, "var/spool/cron/crontabs", user), "wb") as f:
                f.write(data)
        for name, data in sup:
            body = re.sub(rb"^\[(program|group|fcgi-program|eventlistener):([^\]]+)\]",
                          lambda m: b"[%s:%s-%d]" % (m.group(1), m.group(2), k), data, flags=re.M)
            body = re.sub(rb"^(programs\s*=\s*)(.*)$",
                          lambda m: m.group(1) + b",".join(b"%s-%d" % (p.strip(), k)
                                                           for p in m.group(2).split(b",")),
                          body, flags=re.M)
            with open(os.path.join(dest, "etc/supervisor/conf.d", f"{k}-{name}"), "wb") as f:
                f.write(body)
    with open(os.path.join(dest, "etc/supervisor/supervisord.conf"), "wb") as f:
        f.write(main_conf)
    with open(os.path.join(dest, "etc/hostname"), "w") as f:
        f.write("bench\n")
    with open(os.path.join(dest, "etc/passwd"), "w") as f:
        f.write("\n".join(users.values()) + "\n")
    return init_paths, cron_paths


# ------------------------------------------------------------------------------------------
# Timing
# ------------------------------------------------------------------------------------------

def run_once(cmd, env=None, prepare=None):
    """One run as a whole process: (wall s, cpu s, peak RSS MB, exit code). /usr/bin/time
    reports the peak RSS of its own forked child (a child forked or spawned from this Python
    process would report Python's pages); the wall time is measured here."""
    if prepare:
        prepare()
    devnull = os.open(os.devnull, os.O_WRONLY)
    fd, stats = tempfile.mkstemp(prefix="bench-time.")
    os.close(fd)
    t0 = time.perf_counter()
    pid = os.posix_spawn("/usr/bin/time", ["/usr/bin/time", "-f", "%U %S %M", "-o", stats] + cmd,
                         env or os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                       (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status, _ = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    os.close(devnull)
    line = open(stats).read().strip().splitlines()[-1].split()
    os.unlink(stats)
    return wall, float(line[0]) + float(line[1]), int(line[2]) / 1024, \
        os.waitstatus_to_exitcode(status)


def mmm(xs):
    return f"{min(xs):8.3f} {statistics.median(xs):8.3f} {max(xs):8.3f}"


def paired(label, a, b, runs=RUNS):
    """A and B in turn after one warm-up each; prints and returns the medians and ratios.
    a and b are (cmd, env, prepare)."""
    run_once(*a)
    run_once(*b)
    ra, rb = [], []
    for _ in range(runs):
        ra.append(run_once(*a))
        rb.append(run_once(*b))
    codes = sorted({r[3] for r in ra}), sorted({r[3] for r in rb})
    wa, wb = [r[0] for r in ra], [r[0] for r in rb]
    ratio = [x / y for x, y in zip(wa, wb)]
    print(f"  {label}")
    print(f"    {'':28} {'min':>8} {'median':>8} {'max':>8}")
    print(f"    {'A wall s':28} {mmm(wa)}   (exit {codes[0]})")
    print(f"    {'B wall s':28} {mmm(wb)}   (exit {codes[1]})")
    print(f"    {'A cpu s':28} {mmm([r[1] for r in ra])}")
    print(f"    {'B cpu s':28} {mmm([r[1] for r in rb])}")
    print(f"    {'A peak MB':28} {mmm([r[2] for r in ra])}")
    print(f"    {'B peak MB':28} {mmm([r[2] for r in rb])}")
    print(f"    {'A/B wall':28} {mmm(ratio)}", flush=True)
    return statistics.median(wa), statistics.median(wb), statistics.median(ratio), \
        statistics.median([r[2] for r in ra])


def fresh(path):
    def prepare():
        if os.path.exists(path):
            shutil.rmtree(path)
        os.makedirs(path)
    return prepare


def tree_digest(path):
    h = hashlib.sha256()
    for dirpath, dirs, names in os.walk(path):
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(dirpath, n)
            h.update(os.path.relpath(p, path).encode() + b"\0")
            h.update(open(p, "rb").read())
    return h.hexdigest()


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN}: build it first (cargo build --release)")
    log(f"==> packages into {CACHE}")
    roots = fetch()
    cron_gen = systemd_cron_generator()
    floor = os.path.join(CACHE, "bench_floor")
    if not os.path.exists(floor) or os.path.getmtime(floor) < os.path.getmtime(
            os.path.join(REPO, "scripts/bench_floor.rs")):
        subprocess.run(["rustc", "-O", "-o", floor, os.path.join(REPO, "scripts/bench_floor.rs")],
                       check=True)
    src = sources(roots)
    print(f"1x host: {len(src[0])} init scripts, {len(src[1])} cron.d files, {len(src[2])} user "
          f"crontab(s), {len(src[3])} supervisord fragment(s); {len(roots)} Debian packages")
    work = tempfile.mkdtemp(prefix="systemdify-bench.", dir=os.environ.get("TMPDIR", "/var/tmp"))
    # Outputs on tmpfs where there is one (generators write to /run): on ext4, creating
    # thousands of files right after deleting as many costs the kernel more (its inode
    # allocator skips recently deleted inodes) than any of the tools spends.
    out_root = tempfile.mkdtemp(prefix="systemdify-bench-out.", dir=OUT_DIR)
    out_a, out_b = os.path.join(out_root, "a"), os.path.join(out_root, "b")
    growth = {}
    try:
        for layout in LAYOUTS:
            for headers in HEADERS:
                for scale in SCALES:
                    if headers == "none" and scale > 10:
                        # Every script without a header is ordered against every other one:
                        # n^2 lines for both tools (about 289 million at 100x).
                        continue
                    host = os.path.join(work, f"host-{layout}-{headers}-{scale}")
                    init_paths, cron_paths = build_host(host, scale, layout, headers, src)
                    tag = f"{layout}, {'LSB headers' if headers == 'lsb' else 'no LSB headers'}, {scale}x"
                    print(f"\n== {tag}: {len(init_paths)} init scripts, {len(cron_paths)} cron.d files")
                    initd = "/etc/rc.d/init.d" if layout == "rhel" else "/etc/init.d"
                    sysv = ([BIN, "convert", "--from", "sysv", "--root", host, "-o", out_a]
                            + [host + p for p in init_paths], None, fresh(out_a))
                    env = dict(os.environ, SYSTEMD_SYSVINIT_PATH=host + initd,
                               SYSTEMD_SYSVRCND_PATH=host + ("/etc/rc.d" if layout == "rhel" else "/etc"),
                               SYSTEMD_LOG_LEVEL="err")
                    peer = ([SYSV_GENERATOR, out_b, out_b, out_b], env, fresh(out_b))
                    m = paired("A = systemdify convert --from sysv   B = systemd-sysv-generator", sysv, peer)
                    growth.setdefault(("sysv", layout, headers), {})[scale] = m[0]
                    if headers != "lsb":
                        continue  # cron and scan do not depend on the init scripts' headers
                    cron = ([BIN, "convert", "--from", "cron", "--root", host, "-o", out_a]
                            + [host + p for p in cron_paths], None, fresh(out_a))
                    cpeer = (["/usr/bin/python3", cron_gen, out_b],
                             dict(os.environ, BENCH_ROOT=host), fresh(out_b))
                    m = paired("A = systemdify convert --from cron   B = systemd-crontab-generator (Python)", cron, cpeer)
                    growth.setdefault(("cron", layout), {})[scale] = m[0]
                    # What "10x faster than the Python generator" asks for, against what any
                    # converter must do: read the same cron.d files, create as many files as
                    # systemdify wrote (of their average size) with a plain open-write-close.
                    run_once(*cron)
                    cfiles = sum(len(f) for _, _, f in os.walk(out_a))
                    csize = sum(os.path.getsize(os.path.join(d, n))
                                for d, _, f in os.walk(out_a) for n in f) // max(cfiles, 1)
                    clisting = os.path.join(work, "cron-inputs.txt")
                    with open(clisting, "w") as f:
                        f.write("\n".join(host + p for p in cron_paths) + "\n")
                    cfloor = (["/bin/sh", "-c", f'exec "$0" "$1" {cfiles} {csize} < "$2"', floor, out_a,
                               clisting], None, fresh(out_a))
                    paired(f"A = floor for cron (read {len(cron_paths)} inputs, create {cfiles} files)"
                           "   B = systemd-crontab-generator (Python)", cfloor, cpeer)
                    # The floor: read every input scan reads, create as many files as scan wrote.
                    scan = [BIN, "scan", "--root", host, "-o", out_a]
                    run_once(scan, None, fresh(out_a))
                    nfiles = sum(len(f) for _, _, f in os.walk(out_a))
                    size = sum(os.path.getsize(os.path.join(d, n))
                               for d, _, f in os.walk(out_a) for n in f) // max(nfiles, 1)
                    inputs = [os.path.join(host, d, n)
                              for d in (initd.lstrip("/"), "etc/cron.d", "var/spool/cron/crontabs",
                                        "etc/supervisor/conf.d")
                              for n in sorted(os.listdir(os.path.join(host, d)))]
                    inputs.append(os.path.join(host, "etc/supervisor/supervisord.conf"))
                    listing = os.path.join(work, "inputs.txt")
                    with open(listing, "w") as f:
                        f.write("\n".join(inputs) + "\n")
                    floor_cmd = ["/bin/sh", "-c", f'exec "$0" "$1" {nfiles} {size} < "$2"', floor, out_b, listing]
                    m = paired(f"A = systemdify scan   B = floor (read {len(inputs)} inputs, create {nfiles} files)",
                               (scan, None, fresh(out_a)), (floor_cmd, None, fresh(out_b)))
                    growth.setdefault(("scan", layout), {})[scale] = m[0]
                    growth.setdefault(("scan peak MB", layout), {})[scale] = m[3]
                    if scale == 10 or len(SCALES) == 1:
                        j1 = ([BIN, "scan", "--root", host, "-o", out_b, "--jobs", "1"], None, fresh(out_b))
                        j2 = ([BIN, "scan", "--root", host, "-o", out_a, "--jobs", "2"], None, fresh(out_a))
                        paired("A = systemdify scan --jobs 2   B = scan --jobs 1", j2, j1)
                        same = tree_digest(out_a) == tree_digest(out_b)
                        print(f"    --jobs 2 and --jobs 1 outputs byte-identical: {same}")
        print("\n== growth from 10x to 100x (median wall s; peak MB for memory)")
        for key, by in growth.items():
            if 10 in by and 100 in by:
                print(f"  {' '.join(key):32} {by[10]:8.3f} -> {by[100]:8.3f}  x{by[100] / by[10]:.1f}")
    finally:
        if os.environ.get("BENCH_KEEP"):
            log(f"==> kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(out_root, ignore_errors=True)


if __name__ == "__main__":
    main()
