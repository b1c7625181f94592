#!/usr/bin/env node
'use strict';
// PM2 7.0.4's own reading of ecosystem files and dump.pm2, as fixtures for systemdify.
// README.md (beside this file) documents how PM2 is run and the fixture format.
//
//   node tests/oracle/pm2/pm2_oracle.js [CASE...]       rewrite corpus/pm2/*/oracle.json
//   node tests/oracle/pm2/pm2_oracle.js --check         exit 1 (with a diff) if a fixture differs
//   node tests/oracle/pm2/pm2_oracle.js --input FILE --root DIR [--env NAME] [--env-file F] [--cwd DIR] [--out OUT]
// A case with `dump-from` first gets its dump.pm2 from `pm2 start` + `pm2 save` (README.md).

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const HERE = __dirname;
const REPO = path.resolve(HERE, '..', '..', '..');
const CORPUS = path.join(REPO, 'corpus', 'pm2');
const PM2_VERSION = '7.0.4';
const CPUS = 4;
const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const PLACEHOLDERS = [
  ['/.pm2-oracle/oracle/node_modules/pm2', '<PM2>'],
  ['/.pm2-oracle/oracle', '<ORACLE>'],
  ['/.pm2-oracle/node-path', '<NODE_PATH>'],
  ['/.pm2-oracle/bin/node', '<NODE>'],
];
const TIME_KEYS = new Set(['created_at', 'pm_uptime']);
const UUID_KEYS = new Set(['unique_id']);

function die(msg) {
  process.stderr.write(`pm2_oracle: ${msg}\n`);
  process.exit(2);
}

function checkSetup() {
  const [maj, min] = process.versions.node.split('.').map(Number);
  if (maj < 20 || (maj === 20 && min < 19)) {
    die(`Node ${process.version}: >= 20.19 needed (require() of ES modules, which PM2 uses for .mjs)`);
  }
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', 'pm2', 'package.json'), 'utf8'));
  } catch (e) {
    die(`pm2 is not installed: run \`npm ci --ignore-scripts\` in ${HERE}`);
  }
  if (pkg.version !== PM2_VERSION) die(`pm2 ${pkg.version} installed, ${PM2_VERSION} pinned: run npm ci`);
  if (!fs.existsSync(path.join(HERE, 'node_modules', 'dotenv', 'package.json'))) {
    die(`dotenv is not installed: run \`npm ci --ignore-scripts\` in ${HERE}`);
  }
  if (process.getuid() !== 0) die('must run as root (a private mount namespace and a chroot per case)');
}

// KEY=VALUE lines as systemdify's --env-file reads them (src/commands/mod.rs read_env_file):
// blank lines and `#` comments skipped, an `export ` prefix and the spaces around name and
// value dropped, one pair of quotes around the whole value removed; the last one wins.
function readEnvFile(file) {
  const env = {};
  if (!file || !fs.existsSync(file)) return env;
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    let t = line.trim();
    if (!t || t.startsWith('#')) continue;
    if (t.startsWith('export ')) t = t.slice(7);
    const i = t.indexOf('=');
    if (i <= 0) die(`${file}: not KEY=VALUE: ${line}`);
    const name = t.slice(0, i).trim();
    let value = t.slice(i + 1).trim();
    for (const q of ['"', "'"]) {
      if (value.length >= 2 && value.startsWith(q) && value.endsWith(q)) {
        value = value.slice(1, -1);
        break;
      }
    }
    delete env[name];
    env[name] = value;
  }
  return env;
}

function readLine(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n')[0].trim() : null;
}

// The jail: a private mount namespace, a tmpfs with a copy of the host tree, what node needs.
const JAIL_SCRIPT = String.raw`
set -eu
J=$1 ROOT=$2 ORACLE=$3 NODE=$4 OUT=$5 RUNAS=$6 OWNHOME=$7
shift 7
mount -t tmpfs -o mode=0755 pm2-oracle "$J"
cp -a "$ROOT/." "$J/"
robind() { mount --bind "$1" "$2"; mount -o remount,bind,ro "$2"; }
for d in /lib /lib64 /lib32 /libx32 /usr/lib /usr/lib64 /usr/lib32; do
  if [ -L "$d" ]; then
    if [ ! -e "$J$d" ] && [ ! -L "$J$d" ]; then mkdir -p "$J$(dirname "$d")"; ln -s "$(readlink "$d")" "$J$d"; fi
  elif [ -d "$d" ]; then
    mkdir -p "$J$d"; robind "$d" "$J$d"
  fi
done
mkdir -p "$J/dev" "$J/proc" "$J/tmp" "$J/root" "$J/.pm2-oracle/bin" "$J/.pm2-oracle/oracle" "$J/.pm2-oracle/out" "$J/.pm2-oracle/node-path"
chmod 1777 "$J/tmp"
for n in null zero random urandom; do [ -e "$J/dev/$n" ] || touch "$J/dev/$n"; mount --bind "/dev/$n" "$J/dev/$n"; done
mount -t proc proc "$J/proc"
touch "$J/.pm2-oracle/bin/node"; robind "$NODE" "$J/.pm2-oracle/bin/node"
robind "$ORACLE" "$J/.pm2-oracle/oracle"
ln -s /.pm2-oracle/oracle/node_modules/dotenv "$J/.pm2-oracle/node-path/dotenv"
mount --bind "$OUT" "$J/.pm2-oracle/out"
if [ -n "$RUNAS" ]; then
  # The user owns their home (and so their PM2_HOME), as on the host.
  mkdir -p "$J$OWNHOME"; chown -R "$RUNAS" "$J$OWNHOME"; chmod 0777 "$J/.pm2-oracle/out"
fi
exec env -i "$@"
`;

// The user of a PM2_HOME /home/U/.pm2 (U from the case's etc/passwd), else root.
function userOf(root, pm2Home) {
  const m = /^\/home\/([^/]+)\/\.pm2$/.exec(pm2Home);
  if (!m) return { name: 'root', uid: 0, gid: 0, home: '/root' };
  const passwd = fs.readFileSync(path.join(root, 'etc', 'passwd'), 'utf8').split('\n');
  for (const l of passwd) {
    const f = l.split(':');
    if (f[0] === m[1]) return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
  }
  die(`${pm2Home}: user ${m[1]} not in ${root}/etc/passwd`);
}

// Runs PM2 on one file. `input` is a host path inside `root`. `pm2Home` (for `save`): the
// PM2_HOME of the run (its user runs PM2).
function runPm2({ root, input, envName, env, save, pm2Home, cwd }) {
  const isDump = path.posix.basename(input) === 'dump.pm2';
  // `pm2 resurrect` as pm2 startup's unit runs it: from /, PM2_HOME the dump's directory.
  const dir = isDump ? '/' : cwd || path.posix.dirname(input);
  // The file as typed in `dir`: relative below it, else absolute.
  const rel = path.posix.relative(dir, input);
  const base = rel.startsWith('..') ? input : rel;
  const home = isDump ? path.posix.dirname(input) : pm2Home || '/root/.pm2';
  const user = userOf(root, home);
  const command = isDump ? ['resurrect'] : ['start', base].concat(envName ? ['--env', envName] : []);
  const baseEnv = {
    HOME: user.home,
    LANG: 'C.UTF-8',
    PATH: BASE_PATH,
    PM2_HOME: home,
    PWD: dir,
  };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2-oracle-'));
  try {
    const jail = path.join(tmp, 'jail');
    const out = path.join(tmp, 'out');
    fs.mkdirSync(jail);
    fs.mkdirSync(out);
    const childEnv = Object.assign({}, baseEnv, env, {
      NODE_PATH: '/.pm2-oracle/node-path',
      PM2_ORACLE: JSON.stringify({ cwd: dir, cpus: CPUS, save: !!save }),
    });
    if (process.env.PM2_ORACLE_DEBUG) childEnv.DEBUG = process.env.PM2_ORACLE_DEBUG;
    const envArgs = Object.keys(childEnv).map((k) => `${k}=${childEnv[k]}`);
    const argv = ['--mount', '--propagation', 'private', '--', 'sh', '-c', JAIL_SCRIPT, 'sh',
      jail, path.resolve(root), HERE, process.execPath, out,
      user.uid ? `${user.uid}:${user.gid}` : '', user.home].concat(envArgs,
      ['chroot'].concat(user.uid ? [`--userspec=${user.uid}:${user.gid}`] : [], [jail,
        '/.pm2-oracle/bin/node', '/.pm2-oracle/oracle/recorder.js'], command));
    const r = spawnSync('unshare', argv, {
      env: { PATH: BASE_PATH },
      encoding: 'utf8',
      timeout: 60000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) die(`unshare: ${r.error.message}`);
    const recFile = path.join(out, 'record.json');
    if (!fs.existsSync(recFile)) {
      die(`${input}: PM2 left no record (exit ${r.status}, signal ${r.signal})\n${r.stdout}\n${r.stderr}`);
    }
    const rec = JSON.parse(fs.readFileSync(recFile, 'utf8'));
    return { rec, stdout: r.stdout, stderr: r.stderr, baseEnv, command, cwd: dir, user: user.name };
  } finally {
    spawnSync('rm', ['-rf', tmp]);
  }
}

function placeholders(s) {
  for (const [from, to] of PLACEHOLDERS) s = s.split(from).join(to);
  return s;
}

function normalize(v, key) {
  if (key !== undefined && TIME_KEYS.has(key) && typeof v === 'number') return '<TIME>';
  if (key !== undefined && UUID_KEYS.has(key) && typeof v === 'string') return '<UUID>';
  if (typeof v === 'string') return placeholders(v);
  if (Array.isArray(v)) return v.map((x) => normalize(x));
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = normalize(v[k], k);
    return o;
  }
  return v;
}

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

function lines(text) {
  const out = [];
  for (let l of text.split('\n')) {
    l = stripAnsi(l).replace(/\s+$/, '');
    if (/^\s+at /.test(l)) continue;
    out.push(placeholders(l));
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

function fixture({ root, input, envName, env, cwd }) {
  const r = runPm2({ root, input, envName, env, cwd });
  const pmIds = Object.keys(r.rec.processes).map(Number).sort((a, b) => a - b);
  const doc = {
    pm2: PM2_VERSION,
    input,
    cwd: r.cwd,
    command: r.command,
    cpus: CPUS,
    user: r.user,
    base_env: r.baseEnv,
    env,
    apps: r.rec.apps,
    processes: pmIds.map((id) => ({
      pm2_env: r.rec.processes[id],
      spawn: r.rec.spawns[id] === undefined ? null : r.rec.spawns[id],
    })),
    errors: r.rec.errors.map(stripAnsi),
    exit_code: r.rec.exit_code,
    stdout: lines(r.stdout),
    stderr: lines(r.stderr),
  };
  if (r.rec.watch.length) doc.watch_started = r.rec.watch.slice().sort((a, b) => a - b);
  return JSON.stringify(normalize(doc), null, 2) + '\n';
}

function caseSpec(dir) {
  const input = readLine(path.join(dir, 'input'));
  if (!input) die(`${dir}: no input`);
  return {
    root: path.join(dir, 'root'),
    input,
    envName: readLine(path.join(dir, 'env-name')),
    env: readEnvFile(path.join(dir, 'env')),
    cwd: readLine(path.join(dir, 'cwd')),
  };
}

function cases(names) {
  const all = fs.readdirSync(CORPUS).filter((n) => fs.existsSync(path.join(CORPUS, n, 'input'))).sort();
  if (!names.length) return all;
  for (const n of names) if (all.indexOf(n) === -1) die(`no case ${n} in ${CORPUS}`);
  return names;
}

// A case whose dump.pm2 is made by PM2: `dump-from` (the host path of the ecosystem file
// `pm2 start` ran on), optional `dump-env-name` and `dump-env` (as `env-name` and `env`).
// `pm2 start` then `pm2 save` run as the dump's user with PM2_HOME the dump's directory;
// times and ids are fixed so the committed file is byte-stable. Returns the text.
function makeDump(caseDir) {
  const spec = caseSpec(caseDir);
  const from = readLine(path.join(caseDir, 'dump-from'));
  const r = runPm2({
    root: spec.root,
    input: from,
    envName: readLine(path.join(caseDir, 'dump-env-name')),
    env: readEnvFile(path.join(caseDir, 'dump-env')),
    save: true,
    pm2Home: path.posix.dirname(spec.input),
  });
  if (r.rec.errors.length || r.rec.dump === null) {
    die(`${caseDir}: pm2 start/save failed: ${r.rec.errors.join('; ')}\n${r.stdout}\n${r.stderr}`);
  }
  const dump = JSON.parse(r.rec.dump);
  let n = 0;
  const ids = new Map();
  const fix = (v, key) => {
    if (TIME_KEYS.has(key) && typeof v === 'number') return 1764590400000;
    if (UUID_KEYS.has(key) && typeof v === 'string') {
      if (!ids.has(v)) ids.set(v, `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`);
      return ids.get(v);
    }
    if (Array.isArray(v)) return v.map((x) => fix(x));
    if (v && typeof v === 'object') {
      const o = {};
      for (const k of Object.keys(v)) o[k] = fix(v[k], k);
      return o;
    }
    return v;
  };
  // PM2's own serialisation (lib/API/Startup.js dump): JSON.stringify(env_arr, '', 2).
  return JSON.stringify(fix(dump), '', 2);
}

function main() {
  const args = process.argv.slice(2);
  checkSetup();
  if (args.indexOf('--input') !== -1) {
    const opt = (name) => {
      const i = args.indexOf(name);
      return i === -1 ? null : args[i + 1];
    };
    if (!opt('--root')) die('--input needs --root DIR (the host tree the input path is in)');
    const text = fixture({
      root: path.resolve(opt('--root')),
      input: opt('--input'),
      envName: opt('--env'),
      env: readEnvFile(opt('--env-file')),
      cwd: opt('--cwd'),
    });
    if (opt('--out')) fs.writeFileSync(opt('--out'), text);
    else process.stdout.write(text);
    return;
  }
  const check = args[0] === '--check';
  const names = cases(args.filter((a) => a !== '--check'));
  let stale = 0;
  for (const name of names) {
    const dir = path.join(CORPUS, name);
    if (fs.existsSync(path.join(dir, 'dump-from'))) {
      const dump = makeDump(dir);
      const dumpFile = path.join(dir, 'root', caseSpec(dir).input);
      if (!check) fs.writeFileSync(dumpFile, dump);
      else if (!fs.existsSync(dumpFile) || fs.readFileSync(dumpFile, 'utf8') !== dump) {
        stale++;
        process.stdout.write(`${name}: ${caseSpec(dir).input} is not what pm2 save writes\n`);
      }
    }
    const text = fixture(caseSpec(dir));
    const file = path.join(dir, 'oracle.json');
    if (check) {
      const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      if (old !== text) {
        stale++;
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2-oracle-check-'));
        const fresh = path.join(tmp, 'oracle.json');
        fs.writeFileSync(fresh, text);
        const d = spawnSync('diff', ['-u', file, fresh], { encoding: 'utf8' });
        process.stdout.write(`${name}: oracle.json is not what PM2 ${PM2_VERSION} gives\n${d.stdout}`);
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    } else {
      fs.writeFileSync(file, text);
      process.stdout.write(`${name}: ${JSON.parse(text).apps.length} app(s)\n`);
    }
  }
  if (check) {
    if (stale) {
      process.stdout.write(`${stale} of ${names.length} PM2 fixture(s) stale: run node tests/oracle/pm2/pm2_oracle.js\n`);
      process.exit(1);
    }
    process.stdout.write(`${names.length} PM2 fixtures current\n`);
  }
}

main();
