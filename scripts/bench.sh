#!/usr/bin/env bash
# Whole-host benchmark against the peer tools: builds the release binary, then runs
# scripts/bench.py (synthetic 1x/10x/100x hosts from the corpus and real Debian packages,
# systemd-sysv-generator, Debian 12's systemd-crontab-generator, the floor). Not part of CI.
#
#   scripts/bench.sh                          # everything (about 15 minutes on 2 cores)
#   BENCH_SCALES="10" BENCH_LAYOUTS=debian scripts/bench.sh
#
# Needs: apt-get (run apt-get update once), dpkg-deb, python3, rustc, the installed systemd.
# Downloads go to ${BENCH_CACHE:-/var/tmp/systemdify-bench}, never into the repository.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
exec python3 scripts/bench.py "$@"
