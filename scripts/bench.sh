#!/usr/bin/env bash
# End-to-end benchmark of `systemdify convert` on a generated host with many /etc/cron.d files.
#
#   scripts/bench.sh            # 1000 files, 10 timed runs per case
#
# Environment:
#   BENCH_FILES=N        number of /etc/cron.d files to generate (default 1000)
#   BENCH_RUNS=N         timed runs per case (default 10)
#   BENCH_NO_HYPERFINE=1 use the plain bash timing loop even if hyperfine is installed
#   BENCH_KEEP=1         keep the generated tree and output (path is printed)
#
# The host tree is generated deterministically (a fixed-seed LCG, not $RANDOM), so every run and
# every machine converts the same 1000 files.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

FILES=${BENCH_FILES:-1000}
RUNS=${BENCH_RUNS:-10}

echo "==> cargo build --release"
cargo build --release --quiet
BIN=$PWD/target/release/systemdify

WORK=$(mktemp -d "${TMPDIR:-/tmp}/systemdify-bench.XXXXXX")
if [[ -n ${BENCH_KEEP:-} ]]; then
    echo "==> keeping $WORK"
else
    trap 'rm -rf "$WORK"' EXIT
fi
TREE=$WORK/tree
OUT=$WORK/out

# ---------------------------------------------------------------------------------------------
# Deterministic generator
# ---------------------------------------------------------------------------------------------

seed=20250101
# rnd N: sets $R to a pseudo-random integer in [0, N) (64-bit LCG, Knuth's MMIX constants).
rnd() {
    seed=$(( (seed * 6364136223846793005 + 1442695040888963407) & 0x7fffffffffffffff ))
    R=$(( (seed >> 16) % $1 ))
}
# pick ARRAY_NAME: sets $P to a random element of the array.
pick() {
    local -n arr=$1
    rnd "${#arr[@]}"
    P=${arr[$R]}
}

USERS=(root root root www-data backup postgres app deploy nobody prometheus)

SCHEDULES=(
    '*/5 * * * *'
    '*/15 * * * *'
    '0 * * * *'
    '17 * * * *'
    '15 3 * * *'
    '30 4 1,15 * 5'
    '0 22 * * 1-5'
    '*/10 9-17 * * mon-fri'
    '0 0 1 jan,jul *'
    '5 4 * * sun'
    '0 */6 * * *'
    '20 2-23/3 * * *'
    '0 8-18/2 * * 1,3,5'
    '1-59/7 * * * *'
    '0 12 */2 * *'
    '0 6 1-7 * 1'
    '17 2 * feb-apr *'
    '0 0 29 2 *'
    '45 23 28-31 * *'
    '0,30 7-19 * * *'
    '2 1 * * 0,6'
    '@daily'
    '@hourly'
    '@weekly'
    '@monthly'
    '@yearly'
    '@reboot'
    '@midnight'
)

COMMANDS=(
    'test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )'
    '/usr/local/bin/backup.sh --target /srv/backup >> /var/log/backup.log 2>&1'
    'date +\%Y-\%m-\%d > /var/tmp/stamp'
    'mysql -u report reports%SELECT count(*) FROM jobs;%'
    '[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi'
    'find /tmp -type f -mtime +7 -delete > /dev/null 2>&1'
    'curl -fsS -m 10 --retry 5 -o /dev/null https://hc-ping.com/$PING_ID'
    'cd /var/www/app && php artisan schedule:run >> /dev/null 2>&1'
    '/usr/bin/certbot -q renew --deploy-hook "systemctl reload nginx"'
    'nice -n 19 ionice -c3 /usr/local/sbin/rotate-archives'
    'tar czf /srv/backup/etc-$(date +\%F).tar.gz /etc 2>/dev/null'
    'flock -n /run/lock/sync.lock rsync -a --delete /srv/data/ backup:/srv/data/'
    'echo "disk report" | mail -s "df $(hostname)" root'
    '/usr/bin/pg_dumpall | gzip > /var/backups/pg-$(date +\%a).sql.gz'
    '/usr/sbin/logrotate /etc/logrotate.conf'
    'sleep $((RANDOM \% 300)); /usr/local/bin/sync-feeds 2>&1 | logger -t feeds'
    'psql -qAt -c "VACUUM ANALYZE" app >/dev/null'
    '/opt/app/bin/cleanup --older-than 30d --quiet'
    'python3 /opt/app/manage.py clearsessions'
    '/usr/bin/printf "\%s\n" "tick" >> /var/log/tick.log'
)

ENV_LINES=(
    'MAILTO=ops@example.com'
    'MAILTO=""'
    'MAILTO=root'
    'PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin'
    'PATH=/opt/app/bin:/usr/bin:/bin'
    'SHELL=/bin/bash'
    'SHELL=/bin/sh'
    'HOME=/var/lib/app'
    'PING_ID=1f2e3d4c-aaaa-bbbb-cccc-0123456789ab'
    'LANG=C.UTF-8'
)

NAMES=(backup certbot php sessionclean sysstat logrotate pg-maint app-cleanup feeds reports
    monitoring healthcheck sync mail-report tmpclean)

generate() {
    mkdir -p "$TREE/etc/cron.d" "$TREE/usr/bin" "$TREE/usr/sbin" "$TREE/usr/local/bin" \
        "$TREE/usr/local/sbin" "$TREE/bin" "$TREE/sbin" "$TREE/opt/app/bin"

    # /etc/passwd with every user the files use.
    {
        echo 'root:x:0:0:root:/root:/bin/bash'
        echo 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin'
        echo 'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin'
        echo 'backup:x:34:34:backup:/var/backups:/usr/sbin/nologin'
        echo 'postgres:x:105:111:PostgreSQL administrator:/var/lib/postgresql:/bin/bash'
        echo 'app:x:1001:1001:app:/var/lib/app:/bin/bash'
        echo 'deploy:x:1002:1002:deploy:/home/deploy:/bin/bash'
        echo 'prometheus:x:106:112:Prometheus:/var/lib/prometheus:/usr/sbin/nologin'
    } > "$TREE/etc/passwd"

    # The programs the jobs call, so command lookups find most of them.
    local p
    for p in bin/sh bin/bash bin/date bin/tar bin/sleep bin/echo usr/bin/test usr/bin/find \
        usr/bin/curl usr/bin/php usr/bin/certbot usr/bin/nice usr/bin/ionice usr/bin/flock \
        usr/bin/rsync usr/bin/mail usr/bin/pg_dumpall usr/bin/gzip usr/bin/psql usr/bin/python3 \
        usr/bin/logger usr/bin/printf usr/bin/mysql usr/sbin/logrotate usr/sbin/anacron \
        usr/local/bin/backup.sh usr/local/bin/sync-feeds usr/local/sbin/rotate-archives \
        opt/app/bin/cleanup bin/run-parts; do
        printf '#!/bin/sh\n' > "$TREE/$p"
        chmod 755 "$TREE/$p"
    done
    if [[ -f /usr/share/zoneinfo/Europe/Berlin ]]; then
        cp /usr/share/zoneinfo/Europe/Berlin "$TREE/etc/localtime"
    fi

    local i n j k name file
    PATHS=()
    for ((i = 1; i <= FILES; i++)); do
        pick NAMES
        printf -v name '%s-%04d' "$P" "$i"
        file=$TREE/etc/cron.d/$name
        PATHS+=("/etc/cron.d/$name")
        {
            echo "# /etc/cron.d/$name: crontab entries for the $P job"
            echo
            rnd 4
            n=$R
            for ((k = 0; k < n; k++)); do
                pick ENV_LINES
                echo "$P"
            done
            [[ $n -gt 0 ]] && echo
            echo '# m h dom mon dow user  command'
            rnd 4
            n=$((R + 1))
            for ((j = 0; j < n; j++)); do
                pick SCHEDULES
                local sched=$P
                pick USERS
                local user=$P
                pick COMMANDS
                printf '%-22s %-9s %s\n' "$sched" "$user" "$P"
            done
        } > "$file"
    done
}

echo "==> generating $FILES cron.d files in $TREE"
generate
jobs=$(grep -hcv -e '^#' -e '^$' -e '^[A-Z_]*=' "$TREE"/etc/cron.d/* | awk '{s += $1} END {print s}')
echo "    $jobs job lines, $(du -sh "$TREE/etc/cron.d" | cut -f1) of crontabs"

# One untimed run: checks the inputs convert cleanly and shows what a run produces.
set +e
"$BIN" convert --root "$TREE" -o "$OUT" --force "${PATHS[@]}" 2> "$WORK/stderr"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
    echo "systemdify convert exited $rc:" >&2
    head -20 "$WORK/stderr" >&2
    exit 1
fi
echo "    $(find "$OUT" -type f | wc -l) files written; $(tail -1 "$WORK/stderr")"

# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------

DIR_CMD=("$BIN" convert --root "$TREE" -o "$OUT" --force "${PATHS[@]}")
STDOUT_CMD=("$BIN" convert --root "$TREE" "${PATHS[@]}")

declare -A MEAN

# time_loop NAME PREPARE CMD...: mean wall time of $RUNS runs (after one warm-up), in seconds.
time_loop() {
    local label=$1 prepare=$2
    shift 2
    local i t0 t1 times=()
    eval "$prepare"
    "$@" > /dev/null 2>&1 || true
    for ((i = 0; i < RUNS; i++)); do
        eval "$prepare"
        t0=$(date +%s.%N)
        "$@" > /dev/null 2>&1 || true
        t1=$(date +%s.%N)
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}')")
    done
    MEAN[$label]=$(printf '%s\n' "${times[@]}" | awk '{s += $1} END {printf "%.4f", s / NR}')
    local sd
    sd=$(printf '%s\n' "${times[@]}" | awk -v m="${MEAN[$label]}" \
        '{d = $1 - m; s += d * d} END {printf "%.4f", sqrt(s / (NR > 1 ? NR - 1 : 1))}')
    printf '    %-28s mean %s s ± %s s (%d runs)\n' "$label" "${MEAN[$label]}" "$sd" "$RUNS"
}

# time_hyperfine NAME PREPARE CMD...: the same with hyperfine (no shell: -N; hyperfine discards
# the command's stdout, which is what `> /dev/null` does).
time_hyperfine() {
    local label=$1 prepare=$2
    shift 2
    local json=$WORK/hyperfine-${label//[^A-Za-z0-9]/_}.json
    local args=(--warmup 1 --runs "$RUNS" -N --export-json "$json" --command-name "$label")
    [[ -n $prepare ]] && args+=(--prepare "$prepare")
    # With -N hyperfine splits the command on whitespace; none of our paths holds any.
    hyperfine "${args[@]}" "$*"
    MEAN[$label]=$(sed -n 's/.*"mean": *\([0-9.e-]*\).*/\1/p' "$json" | head -1)
    MEAN[$label]=$(awk -v m="${MEAN[$label]}" 'BEGIN {printf "%.4f", m}')
}

if [[ -z ${BENCH_NO_HYPERFINE:-} ]] && command -v hyperfine > /dev/null; then
    echo "==> timing with $(hyperfine --version)"
    time_hyperfine "convert -o DIR" "rm -rf $OUT" "${DIR_CMD[@]}"
    time_hyperfine "convert > /dev/null" "" "${STDOUT_CMD[@]}"
else
    command -v hyperfine > /dev/null ||
        echo "    (hyperfine not found; install it for better statistics: apt-get install -y hyperfine)"
    echo "==> timing with a bash loop (date +%s.%N)"
    time_loop "convert -o DIR" "rm -rf '$OUT'" "${DIR_CMD[@]}"
    time_loop "convert > /dev/null" ":" "${STDOUT_CMD[@]}"
fi

echo
echo "==> results ($FILES files, $jobs jobs, one invocation each)"
for label in "convert -o DIR" "convert > /dev/null"; do
    m=${MEAN[$label]}
    awk -v l="$label" -v m="$m" -v n="$FILES" 'BEGIN {
        printf "    %-22s mean %.4f s  (%.1f us/file; %.1fx the reference per file)\n",
            l, m, m / n * 1e6, (2.9 / 920) / (m / n)
    }'
done
echo "reference: Debian systemd-cron (Python) ~2.9 s for 920 files; target ≥10x faster"
