#!/usr/bin/env bash
# Real PM2 files as npm packages ship them (issue 9, "tried as a new user would"): fetched
# with `npm pack`, laid out as host trees like the corpus cases, and read by PM2 7.0.4 itself
# (tests/oracle/pm2/pm2_oracle.js), so systemdify's PM2 reader can be tried on them and
# compared app by app.
#
#   scripts/fetch-pm2-samples.sh [--verbose]
#
# Everything goes to ${PM2_SAMPLES_DIR:-${TMPDIR:-/tmp}/systemdify-pm2-samples} (never into the
# repository):
#   tgz/                     the package tarballs (kept: a second run is offline)
#   pkg/NAME@VERSION/        each tarball unpacked
#   samples/N/               one per distinct file (same content in several packages: the first):
#     root/                  a host tree: etc/passwd, etc/group, stand-ins for node, npm,
#                            python3, bash on PATH, the whole package at /srv/PKG/
#     input                  the host path of the file (/srv/PKG/...)
#     env-name               only in the `--env production` twin of a file with env_production
#     cwd                    only in the twin run from the package root (file below it)
#     source                 package and path inside it
#     oracle.json            PM2's reading (format: tests/oracle/pm2/README.md)
#   samples.tsv              N, package, path, run (- | production | @root), apps, processes,
#                            PM2's errors
#
# PM2 files are ecosystem*.{js,cjs,mjs,json,json5,yml,yaml}, process.{json,yml,yaml}, pm2*.json
# and PM2's own ecosystem templates: `pm2 init` writes lib/templates/ecosystem.tpl (or
# ecosystem-simple.tpl) as ecosystem.config.js, so a *.tpl becomes ecosystem.config.js, an
# -es.tpl ecosystem.config.mjs. Needs root, the npm registry, npm, and Node >= 20.19 (as
# `node`, or ORACLE_NODE=/path/to/node); runs `npm ci` for the oracle if needed. Not run in CI.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${PM2_SAMPLES_DIR:-${TMPDIR:-/tmp}/systemdify-pm2-samples}
NODE=${ORACLE_NODE:-node}
VERBOSE=0
[ "${1:-}" = "--verbose" ] && VERBOSE=1

# Packages that ship PM2 files (checked with `npm pack --dry-run`; the registry's search
# endpoint is not reachable from here, and most projects keep their ecosystem file in git, not
# in the tarball): PM2 itself in four majors (sample apps and `pm2 init` templates; identical
# files are read once), two published forks, and pm2-gui (a process file among its tests).
PACKAGES=(pm2@7.0.4 pm2@6.0.14 pm2@5.4.3 pm2@4.5.5 @socket.io/pm2@6.0.14 @arcblock/pm2@6.0.12
          pm2-gui@0.1.4)

if [ ! -f "$REPO/tests/oracle/pm2/node_modules/pm2/package.json" ]; then
  (cd "$REPO/tests/oracle/pm2" && npm ci --ignore-scripts --no-audit --no-fund --silent)
fi

mkdir -p "$WORK/tgz" "$WORK/pkg"
rm -rf "$WORK/samples" && mkdir -p "$WORK/samples"
for spec in "${PACKAGES[@]}"; do
  flat=$(echo "$spec" | tr '/' '+')
  if ! ls "$WORK/tgz/$flat.tgz" >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    if (cd "$tmp" && npm pack --silent "$spec" >/dev/null 2>&1); then
      mv "$tmp"/*.tgz "$WORK/tgz/$flat.tgz"
    else
      echo "npm pack $spec failed (registry unreachable?)" >&2
    fi
    rm -rf "$tmp"
  fi
  [ -f "$WORK/tgz/$flat.tgz" ] || continue
  rm -rf "$WORK/pkg/$flat" && mkdir -p "$WORK/pkg/$flat"
  tar xzf "$WORK/tgz/$flat.tgz" -C "$WORK/pkg/$flat" --no-same-owner
done

stand_in() { # TREE PATH: a small executable file, never run
  mkdir -p "$(dirname "$1$2")"
  printf '#!/bin/sh\n# stand-in for %s (never run)\n' "$(basename "$2")" > "$1$2"
  chmod 755 "$1$2"
}

n=0
declare -A seen=()
printf 'n\tpackage\tpath\trun\tapps\tprocesses\terrors\n' > "$WORK/samples.tsv"
for spec in "${PACKAGES[@]}"; do
  flat=$(echo "$spec" | tr '/' '+')
  pkgdir="$WORK/pkg/$flat"
  [ -d "$pkgdir" ] || continue
  top="$pkgdir/package"
  [ -d "$top" ] || top=$(find "$pkgdir" -mindepth 1 -maxdepth 1 -type d | head -1)
  while IFS= read -r -d '' f; do
    rel=${f#"$top"/}
    sum=$(sha256sum "$f" | cut -d' ' -f1)
    [ -n "${seen[$sum]:-}" ] && continue
    seen[$sum]=1
    base=$(basename "$rel")
    target=$rel
    case "$base" in
      *-es.tpl) target=$(dirname "$rel")/ecosystem.config.mjs ;;
      *.tpl) target=$(dirname "$rel")/ecosystem.config.js ;;
    esac
    target=${target#./}
    srv=/srv/$(echo "${flat%@*}" | tr -c 'A-Za-z0-9._\n-' '-')
    # Runs: from the file's directory; with --env production if it has env_production; and,
    # for a file below the package root, from the package root too (`pm2 start sub/file`,
    # where a relative `cwd` option resolves differently).
    runs=("-")
    grep -q 'env_production' "$f" && runs+=("production")
    case "$target" in */*) runs+=("@root") ;; esac
    for run in "${runs[@]}"; do
      envname=""; runcwd=""
      case "$run" in production) envname=production ;; @root) runcwd=$srv ;; esac
      n=$((n + 1))
      s="$WORK/samples/$n"
      mkdir -p "$s/root/etc" "$s/root$srv"
      printf 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$s/root/etc/passwd"
      printf 'root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n' > "$s/root/etc/group"
      for b in node npm python3 bash; do stand_in "$s/root" "/usr/bin/$b"; done
      cp -a "$top/." "$s/root$srv/"
      if [ "$target" != "$rel" ]; then cp "$f" "$s/root$srv/$target"; fi
      echo "$srv/$target" > "$s/input"
      printf '%s %s\n' "$flat" "$rel" > "$s/source"
      args=(--input "$srv/$target" --root "$s/root" --out "$s/oracle.json")
      if [ -n "$envname" ]; then echo "$envname" > "$s/env-name"; args+=(--env "$envname"); fi
      if [ -n "$runcwd" ]; then echo "$runcwd" > "$s/cwd"; args+=(--cwd "$runcwd"); fi
      if ! "$NODE" "$REPO/tests/oracle/pm2/pm2_oracle.js" "${args[@]}" >"$s/oracle.log" 2>&1; then
        echo "oracle failed on $flat $rel (see $s/oracle.log)" >&2
        continue
      fi
      "$NODE" -e '
        const o = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const row = [process.argv[2], process.argv[3], process.argv[4], process.argv[5],
          o.apps.length, o.processes.length, o.errors.join(" | ").replace(/\s+/g, " ") || "-"];
        console.log(row.join("\t"));' "$s/oracle.json" "$n" "$flat" "$rel" "$run" >> "$WORK/samples.tsv"
      [ "$VERBOSE" = 1 ] && tail -1 "$WORK/samples.tsv"
    done
  done < <(find "$top" -path '*/node_modules' -prune -o -type f \( \
      -iname 'ecosystem*.js' -o -iname 'ecosystem*.cjs' -o -iname 'ecosystem*.mjs' \
      -o -iname 'ecosystem*.json' -o -iname 'ecosystem*.json5' -o -iname 'ecosystem*.yml' \
      -o -iname 'ecosystem*.yaml' -o -iname 'ecosystem*.tpl' -o -iname 'process.json' \
      -o -iname 'process.yml' -o -iname 'process.yaml' -o -iname 'pm2*.json' \) -print0 | sort -z)
done

column -t -s $'\t' "$WORK/samples.tsv" | cut -c1-200
echo "$n samples in $WORK/samples ($(tail -n +2 "$WORK/samples.tsv" | awk -F'\t' '$7 == "-"' | wc -l) read by PM2 without error)"
