// The Node shim of systemdify's PM2 sandbox (written for systemdify; evaluated by QuickJS before
// a configuration). It gives a configuration what PM2's `require()` of it would see, with fixed
// values: a fixed clock (2000-01-01T00:00:00Z) and random sequence, no host environment, no network, no writes, reads only inside the
// configuration's directory (the Rust side checks every path). `__sd` is the Rust bridge and
// `__sd_config` the fixed facts; both are removed from the global object here.
(function () {
  'use strict';
  const bridge = globalThis.__sd;
  const conf = JSON.parse(globalThis.__sd_config);
  delete globalThis.__sd;
  delete globalThis.__sd_config;
  const state = { reads: [], files: [], modules: [], sets: [] };

  function fail(kind, message) {
    throw new Error('[systemdify:' + kind + '] ' + message);
  }

  // ---- path (POSIX) ----
  function normalizeParts(parts, absolute) {
    const out = [];
    for (const p of parts) {
      if (p === '' || p === '.') continue;
      if (p === '..') {
        if (out.length && out[out.length - 1] !== '..') out.pop();
        else if (!absolute) out.push('..');
      } else out.push(p);
    }
    return out;
  }
  function str(p, name) {
    if (typeof p !== 'string') throw new TypeError('The "' + name + '" argument must be of type string');
    return p;
  }
  const path = {
    sep: '/',
    delimiter: ':',
    isAbsolute(p) { return str(p, 'path').startsWith('/'); },
    normalize(p) {
      str(p, 'path');
      if (p === '') return '.';
      const abs = p.startsWith('/');
      const trailing = p.endsWith('/');
      let r = normalizeParts(p.split('/'), abs).join('/');
      if (!r && !abs) r = '.';
      if (r && trailing) r += '/';
      return (abs ? '/' : '') + r;
    },
    join(...parts) {
      parts.forEach((p) => str(p, 'path'));
      const j = parts.filter((p) => p !== '').join('/');
      return j === '' ? '.' : path.normalize(j);
    },
    resolve(...parts) {
      let r = '';
      for (let i = parts.length - 1; i >= -1 && !r.startsWith('/'); i--) {
        const p = i >= 0 ? str(parts[i], 'paths[' + i + ']') : conf.cwd;
        if (p === '') continue;
        r = r ? p + '/' + r : p;
      }
      const n = '/' + normalizeParts(r.split('/'), true).join('/');
      return n;
    },
    dirname(p) {
      str(p, 'path');
      if (p === '') return '.';
      const abs = p.startsWith('/');
      let end = p.length;
      while (end > 1 && p[end - 1] === '/') end--;
      const i = p.lastIndexOf('/', end - 1);
      if (i < 0) return '.';
      if (i === 0) return abs ? '/' : '.';
      let d = p.slice(0, i);
      while (d.length > 1 && d.endsWith('/')) d = d.slice(0, -1);
      return d;
    },
    basename(p, ext) {
      str(p, 'path');
      let e = p.length;
      while (e > 0 && p[e - 1] === '/') e--;
      let b = p.slice(p.lastIndexOf('/', e - 1) + 1, e);
      if (ext !== undefined && b.endsWith(ext) && b !== ext) b = b.slice(0, -ext.length);
      return b;
    },
    extname(p) {
      const b = path.basename(p);
      const i = b.lastIndexOf('.');
      return i <= 0 ? '' : b.slice(i);
    },
    relative(from, to) {
      const f = path.resolve(from).split('/').filter(Boolean);
      const t = path.resolve(to).split('/').filter(Boolean);
      let i = 0;
      while (i < f.length && i < t.length && f[i] === t[i]) i++;
      return f.slice(i).map(() => '..').concat(t.slice(i)).join('/');
    },
    parse(p) {
      const base = path.basename(p);
      const ext = path.extname(p);
      const dir = p.includes('/') ? path.dirname(p) : '';
      return { root: p.startsWith('/') ? '/' : '', dir, base, ext, name: ext ? base.slice(0, -ext.length) : base };
    },
    format(o) {
      const base = o.base || (o.name || '') + (o.ext || '');
      const dir = o.dir || o.root || '';
      return dir ? (dir === o.root ? dir + base : dir + '/' + base) : base;
    },
    toNamespacedPath(p) { return p; },
  };
  path.posix = path;

  // ---- os (fixed values, documented in MIGRATION.md) ----
  const cpu = { model: 'systemdify', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
  const os = {
    EOL: '\n',
    platform: () => 'linux',
    type: () => 'Linux',
    arch: () => 'x64',
    release: () => conf.os.release,
    hostname: () => conf.os.hostname,
    homedir: () => conf.os.homedir,
    tmpdir: () => '/tmp',
    endianness: () => 'LE',
    cpus: () => Array.from({ length: conf.os.cpus }, () => Object.assign({}, cpu)),
    availableParallelism: () => conf.os.cpus,
    totalmem: () => conf.os.totalmem,
    freemem: () => conf.os.totalmem,
    uptime: () => 0,
    loadavg: () => [0, 0, 0],
    networkInterfaces: () => ({}),
    userInfo: () => ({ username: conf.os.username, uid: conf.os.uid, gid: conf.os.gid, shell: conf.os.shell, homedir: conf.os.homedir }),
  };

  // ---- process ----
  const envTarget = {};
  for (const [k, v] of conf.env) envTarget[k] = v;
  const env = new Proxy(envTarget, {
    get(t, k) {
      if (typeof k === 'string' && !state.reads.includes(k)) state.reads.push(k);
      return t[k];
    },
    has(t, k) {
      if (typeof k === 'string' && !state.reads.includes(k)) state.reads.push(k);
      return k in t;
    },
    set(t, k, v) {
      t[k] = String(v);
      state.sets.push(String(k));
      return true;
    },
  });
  const noop = function () { return process; };
  const process = {
    env,
    argv: conf.argv.slice(),
    execArgv: [],
    execPath: conf.argv[0],
    cwd: () => conf.cwd,
    chdir() { fail('write', 'process.chdir() is not available in the sandbox'); },
    platform: 'linux',
    arch: 'x64',
    pid: 1,
    ppid: 0,
    version: 'v' + conf.node,
    versions: { node: conf.node },
    release: { name: 'node' },
    exit(code) { fail('exit', 'the configuration called process.exit(' + (code === undefined ? '' : code) + ')'); },
    on: noop, once: noop, off: noop, emitWarning() {}, nextTick(f, ...a) { f(...a); },
    getuid: () => conf.os.uid, getgid: () => conf.os.gid, geteuid: () => conf.os.uid,
    hrtime: Object.assign(() => [0, 0], { bigint: () => 0 }),
    uptime: () => 0,
    memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0 }),
    stdout: { write() { return true; }, isTTY: false },
    stderr: { write() { return true; }, isTTY: false },
  };
  const quiet = function () {};
  const console = { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet, trace: quiet, dir: quiet, table: quiet };

  // ---- files (the Rust side refuses anything outside the configuration's directory) ----
  function readText(p) {
    const abs = path.resolve(p);
    const text = bridge.read(abs);
    if (!state.files.includes(abs)) state.files.push(abs);
    return text;
  }
  function exists(p) { return bridge.exists(path.resolve(String(p))); }
  const refuseWrite = (name) => function () { fail('write', 'fs.' + name + '() writes, and the sandbox allows no writes'); };
  const fs = {
    readFileSync(p, opts) { return readText(String(p)); },
    existsSync: exists,
    statSync(p) {
      if (!exists(p)) { const e = new Error("ENOENT: no such file or directory, stat '" + p + "'"); e.code = 'ENOENT'; throw e; }
      return { isFile: () => true, isDirectory: () => false };
    },
    readdirSync() { fail('read', 'fs.readdirSync() is not available in the sandbox'); },
  };
  for (const w of ['writeFileSync', 'appendFileSync', 'mkdirSync', 'rmSync', 'unlinkSync', 'renameSync', 'copyFileSync', 'writeFile', 'appendFile', 'mkdir', 'createWriteStream', 'symlinkSync', 'chmodSync']) fs[w] = refuseWrite(w);

  // ---- dotenv (reads `.env` beside the configuration unless told another path) ----
  function parseDotenv(src) {
    const out = {};
    const lines = String(src).replace(/\r\n?/g, '\n').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = /^\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(.*)$/.exec(lines[i]);
      if (!m) continue;
      let v = m[2].trim();
      const q = v[0];
      if ((q === '"' || q === "'" || q === '`')) {
        let end = v.indexOf(q, 1);
        while (end < 0 && i + 1 < lines.length) { i++; v += '\n' + lines[i]; end = v.indexOf(q, 1); }
        v = end < 0 ? v : v.slice(1, end);
        if (q === '"') v = v.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
      } else {
        const hash = v.search(/\s#/);
        if (hash >= 0) v = v.slice(0, hash);
        else if (v.startsWith('#')) v = '';
        v = v.trim();
      }
      out[m[1]] = v;
    }
    return out;
  }
  const dotenv = {
    parse: parseDotenv,
    config(options) {
      const o = options || {};
      const file = o.path ? path.resolve(String(o.path)) : path.join(conf.cwd, '.env');
      let parsed;
      try {
        parsed = parseDotenv(readText(file));
      } catch (e) {
        if (String(e.message).startsWith('[systemdify:outside]')) throw e;
        return { error: e };
      }
      for (const k of Object.keys(parsed)) {
        if (o.override || !(k in envTarget)) { envTarget[k] = parsed[k]; state.sets.push(k); }
      }
      state.modules.push('dotenv.config(' + file + ')');
      return { parsed };
    },
  };
  dotenv.configDotenv = dotenv.config;

  const refuseNet = (name) => new Proxy({}, { get() { fail('network', 'module "' + name + '" opens network connections, and the sandbox has no network'); } });
  const url = {
    fileURLToPath(u) { const s = String(u && u.href !== undefined ? u.href : u); if (!s.startsWith('file://')) throw new TypeError('The URL must be of scheme file'); return decodeURIComponent(s.slice(7)); },
    pathToFileURL(p) { return { href: 'file://' + path.resolve(p), toString() { return this.href; } }; },
  };
  const builtins = {
    path, os, fs, url, dotenv,
    'dotenv/config': null,
    util: { format: (...a) => a.join(' '), inspect: (v) => JSON.stringify(v), promisify: (f) => f },
  };
  for (const n of ['net', 'http', 'https', 'http2', 'dgram', 'tls', 'dns', 'child_process', 'cluster', 'worker_threads']) builtins[n] = null;

  function builtin(name) {
    const bare = name.startsWith('node:') ? name.slice(5) : name;
    if (!(bare in builtins)) return undefined;
    if (bare === 'dotenv/config') { dotenv.config(); return {}; }
    if (builtins[bare] === null) {
      if (bare === 'child_process' || bare === 'cluster' || bare === 'worker_threads') fail('process', 'module "' + bare + '" starts processes, and the sandbox runs none');
      return refuseNet(bare);
    }
    if (!state.modules.includes(bare)) state.modules.push(bare);
    return builtins[bare];
  }

  const cache = {};
  function resolveFile(base, request) {
    const abs = path.resolve(base, request);
    for (const c of [abs, abs + '.js', abs + '.json', abs + '.cjs', abs + '/index.js', abs + '/index.json']) {
      if (exists(c)) return c;
    }
    // Let the bridge say whether the path is outside (that error is the clearer one).
    readText(abs);
    const e = new Error("Cannot find module '" + request + "'");
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  }
  function makeRequire(dir) {
    return function require(request) {
      request = String(request);
      const b = builtin(request);
      if (b !== undefined) return b;
      if (!(request.startsWith('./') || request.startsWith('../') || request.startsWith('/') || request === '.' || request === '..')) {
        fail('module', 'require("' + request + '"): only path, os, fs (reading), url, util, dotenv and files inside the configuration\'s directory are available in the sandbox');
      }
      const file = resolveFile(dir, request);
      if (cache[file]) return cache[file].exports;
      const text = readText(file);
      const module = { exports: {}, filename: file, id: file, loaded: false };
      cache[file] = module;
      if (file.endsWith('.json')) {
        module.exports = JSON.parse(text);
      } else {
        bridge.compile(text, file).call(module.exports, module.exports, makeRequire(path.dirname(file)), module, file, path.dirname(file));
      }
      module.loaded = true;
      return module.exports;
    };
  }

  // A fixed clock and a fixed random sequence: the same file gives the same units on every run.
  const RealDate = Date;
  const FIXED_TIME = RealDate.UTC(2000, 0, 1);
  function FixedDate(...a) {
    if (!new.target) return new RealDate(FIXED_TIME).toString();
    return a.length ? new RealDate(...a) : new RealDate(FIXED_TIME);
  }
  FixedDate.prototype = RealDate.prototype;
  FixedDate.now = () => FIXED_TIME;
  FixedDate.UTC = RealDate.UTC;
  FixedDate.parse = RealDate.parse;
  globalThis.Date = FixedDate;
  let seed = 0x2545f491;
  Math.random = function () {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };

  globalThis.process = process;
  globalThis.console = console;
  globalThis.__sd_require = makeRequire;
  globalThis.__sd_builtin = builtin;
  globalThis.__sd_state = state;
  globalThis.__sd_env = envTarget;
  globalThis.setTimeout = function () { return 0; };
  globalThis.setInterval = function () { return 0; };
  globalThis.clearTimeout = quiet;
  globalThis.clearInterval = quiet;
  globalThis.Buffer = { from: (s) => String(s), isBuffer: () => false };
})();
