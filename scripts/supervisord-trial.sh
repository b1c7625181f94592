#!/usr/bin/env bash
# The supervisord trial (issue 8): real configurations as packages ship them, converted by the
# built binary and compared with supervisor 4.3.0's own resolution.
#
#   scripts/supervisord-trial.sh [--verbose]
#
# Downloads into ${TRIAL_DIR:-${TMPDIR:-/tmp}/systemdify-trial} (never into the repository):
# Debian packages (apt-get download + dpkg-deb -x) and PyPI sdists (pip download) that ship
# supervisord configurations, supervisor's own test fixtures and sample included. Then
# scripts/supervisord_trial.py finds every configuration in them, lays out a host tree per package,
# runs supervisor's parser (tests/oracle/supervisor_oracle.py) and `systemdify convert --root`, and
# compares argv, directory, user and environment of every process, in two passes (as shipped and
# with CRLF/CR line endings; then with an --env-file giving every %(ENV_X)s). Prints a summary
# table per pass; exits
# non-zero on a panic or an unexplained difference. Needs the network (Debian and PyPI); not run in CI.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${TRIAL_DIR:-${TMPDIR:-/tmp}/systemdify-trial}
VENV=${ORACLE_VENV:-/tmp/systemdify-oracle}
mkdir -p "$WORK/deb" "$WORK/pypi"

# Debian packages shipping supervisord configurations (supervisor's own, examples in docs).
DEBS=(supervisor supervisor-doc celery python-celery-doc python3-gunicorn)
# PyPI sdists shipping configurations, example configs or docs with [program:x] blocks.
PYPI=(supervisor==4.3.0 superlance celery gunicorn collective-recipe-supervisor
      supervisor-checks supervisord-dependent-startup ordered-startup-supervisord superslacker
      superhooks django-supervisor supervisor-stdlog supervisor-alert mr-rubber
      supervisor-logging supervisor-eventflapping-2)

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$REPO/tests/oracle/requirements.txt"
fi
(cd "$REPO" && cargo build --release --quiet)

sources=()
cd "$WORK/deb"
for p in "${DEBS[@]}"; do
  if ! ls "${p}"_*.deb >/dev/null 2>&1; then
    apt-get download "$p" >/dev/null 2>&1 || { echo "apt-get download $p failed (apt-get update first?)" >&2; continue; }
  fi
  deb=$(ls "${p}"_*.deb | head -1)
  rm -rf "x/$p" && mkdir -p "x/$p" && dpkg-deb -x "$deb" "x/$p"
  sources+=("deb-$p=$WORK/deb/x/$p")
done
cd "$WORK/pypi"
for p in "${PYPI[@]}"; do
  name=${p%%==*}
  if ! ls -d "got-$name" >/dev/null 2>&1; then
    rm -rf "dl-$name" && mkdir "dl-$name"
    if "$VENV/bin/pip" download -q --no-binary :all: --no-deps -d "dl-$name" "$p" >/dev/null 2>&1 \
       || "$VENV/bin/pip" download -q --no-deps -d "dl-$name" "$p" >/dev/null 2>&1; then
      mkdir -p "got-$name"
      for f in "dl-$name"/*; do
        case "$f" in
          *.tar.gz|*.tgz) tar xzf "$f" -C "got-$name" ;;
          *.zip|*.whl) python3 -c 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$f" "got-$name/$(basename "${f%.*}")" ;;
        esac
      done
    else
      echo "pip download $p failed" >&2
      continue
    fi
  fi
  for d in "got-$name"/*; do
    [ -d "$d" ] && sources+=("pypi-$(basename "$d")=$WORK/pypi/$d")
  done
done

# A Debian host: the supervisor package's /etc/supervisor/supervisord.conf, which includes
# conf.d/*.conf, and there every program-only fragment found above, as an admin installs them.
HOST="$WORK/deb-host"
rm -rf "$HOST" && mkdir -p "$HOST" && cp -a "$WORK/deb/x/supervisor/." "$HOST/"
n=0
for s in "${sources[@]}"; do
  dir=${s#*=}
  while IFS= read -r f; do
    if ! grep -q '^\[supervisord\]' "$f" && grep -q '^\[program:' "$f"; then
      n=$((n + 1))
      cp "$f" "$HOST/etc/supervisor/conf.d/$n-$(basename "$f" .conf | tr -c 'A-Za-z0-9_.\n-' _).conf"
    fi
  done < <(grep -rlE --include='*.conf' --include='*.ini' '^\[program:' "$dir" 2>/dev/null | grep -v -e /tests/ -e /.trial-test-strings/ || true)
done
sources+=("deb-host=$HOST@/etc/supervisor/supervisord.conf")

run() {
  "$VENV/bin/python" "$REPO/scripts/supervisord_trial.py" --bin "$REPO/target/release/systemdify" \
    --work "$WORK/work" "$@" "${sources[@]}"
}
status=0
echo "== pass 1: as shipped (units through systemd-analyze verify), and saved with CRLF and lone CR line endings; no --env-file"
run --line-endings --verify "$@" || status=1
echo
echo "== pass 2: supervisord's environment (--env-file) has a value for every %(ENV_X)s used"
run --env "$@" || status=1
exit $status
