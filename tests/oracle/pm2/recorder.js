'use strict';
// Runs inside the jail (see README.md), started by pm2_oracle.js as
//   /.pm2-oracle/bin/node /.pm2-oracle/oracle/recorder.js <pm2 argv...>
// It becomes PM2's own command line (lib/binaries/CLI.js) with the daemon in this process:
// the client's RPC calls God's exposed methods directly, and God's process creation
// (child_process.spawn in ForkMode, cluster.fork in ClusterMode) is recorded instead of run.
// At exit the record is written to /.pm2-oracle/out/record.json.

const cfg = JSON.parse(process.env.PM2_ORACLE);
// Neither the channel to this script nor NODE_PATH (read by Node at start-up, already in
// Module.globalPaths) is part of the environment PM2 sees.
delete process.env.PM2_ORACLE;
delete process.env.NODE_PATH;
process.chdir(cfg.cwd);

const fs = require('fs');
const os = require('os');
const EventEmitter = require('events');
const { PassThrough } = require('stream');

const BASE = cfg.base || '/.pm2-oracle';
const PM2 = BASE + '/oracle/node_modules/pm2';
const OUT = BASE + '/out/record.json';

const record = { apps: [], processes: {}, spawns: {}, watch: [], errors: [], exit_code: null, dump: null };

const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

process.on('exit', (code) => {
  record.exit_code = code;
  fs.writeFileSync(OUT, JSON.stringify(record));
});

// PM2_HOME as an earlier pm2 command leaves it: with its `touch` file, so that the client's
// first-run branch (lib/Client.js initFileStructure: banner, and VersionCheck, a network call)
// is not taken. The client creates the rest (logs/, pids/, modules/, module_conf.json).
fs.mkdirSync(process.env.PM2_HOME, { recursive: true });
if (!fs.existsSync(process.env.PM2_HOME + '/touch')) fs.writeFileSync(process.env.PM2_HOME + '/touch', '0');

// A fixed CPU count (God.js reads os.cpus().length when it is loaded).
const cpu = { model: 'pm2-oracle', speed: 1000, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
os.cpus = () => Array.from({ length: cfg.cpus }, () => JSON.parse(JSON.stringify(cpu)));
os.availableParallelism = () => cfg.cpus;

// One app at a time (constants.js reads PM2_CONCURRENT_ACTIONS once, when loaded; the
// variable is removed again before PM2 copies the environment). PM2's default of 2 lets
// two apps' instances take pm_ids in an order that depends on I/O timing (log files are
// opened asynchronously), so neither pm_ids nor log/pid paths would be reproducible.
process.env.PM2_CONCURRENT_ACTIONS = '1';
require(PM2 + '/constants.js');
delete process.env.PM2_CONCURRENT_ACTIONS;

// God's console override prefixes every line with the time: keep the plain console.
const Utility = require(PM2 + '/lib/Utility.js');
Utility.overrideConsole = function () {};

// Process creation, recorded.
function standIn() {
  const c = new EventEmitter();
  c.pid = process.pid;
  c.process = { pid: process.pid };
  c.stdin = new PassThrough();
  c.stdout = new PassThrough();
  c.stderr = new PassThrough();
  c.connected = true;
  c.unref = () => {};
  c.ref = () => {};
  c.kill = () => true;
  c.send = () => true;
  c.disconnect = () => {};
  c.destroy = () => {};
  c.isConnected = () => true;
  return c;
}
const child_process = require('child_process');
child_process.spawn = function (command, args, options) {
  const o = options || {};
  const pmId = o.env ? o.env.pm_id : undefined;
  const s = { mode: 'fork', command, args, cwd: o.cwd, env: o.env, uid: o.uid, gid: o.gid };
  record.spawns[pmId] = clone(s);
  const c = standIn();
  // A well-behaved app: it runs, and says `ready` (what wait_ready waits for).
  setImmediate(() => c.emit('message', 'ready'));
  return c;
};
const cluster = require('cluster');
cluster.fork = function (env) {
  const e = Object.assign({}, env);
  const pmId = JSON.parse(e.pm2_env).pm_id;
  e.pm2_env = '<pm2_env>';
  const st = cluster.settings;
  record.spawns[pmId] = clone({ mode: 'cluster', exec: st.exec, execArgv: st.execArgv, args: st.args, env: e });
  const w = standIn();
  setImmediate(() => {
    w.emit('online');
    setImmediate(() => w.emit('message', 'ready'));
  });
  return w;
};

// The daemon, in this process, loaded at the first call (as the daemon starts after the
// client has created PM2_HOME's files).
let God = null;
function god() {
  if (God) return God;
  // The daemon is `node <PM2>/lib/Daemon.js` (lib/Client.js launchDaemon): God.js's
  // cluster.setupMaster takes its defaults (args: argv after the script, none) from that argv.
  const argv = process.argv;
  process.argv = [argv[0], PM2 + '/lib/Daemon.js'];
  try {
    God = require(PM2 + '/lib/God.js');
  } finally {
    process.argv = argv;
  }
  God.Worker.start = function () {};
  God.watch.enable = function (pm2_env) {
    record.watch.push(pm2_env.pm_id);
  };
  return God;
}
// lib/Daemon.js, `server.expose({...})`: the methods the client may call.
const EXPOSED = ['prepare', 'getMonitorData', 'getSystemData', 'startProcessId', 'stopProcessId',
  'restartProcessId', 'deleteProcessId', 'sendLineToStdin', 'softReloadProcessId',
  'reloadProcessId', 'duplicateProcessId', 'resetMetaProcessId', 'stopWatch', 'startWatch',
  'toggleWatch', 'notifyByProcessId', 'notifyKillPM2', 'monitor', 'unmonitor', 'msgProcess',
  'sendDataToProcessId', 'sendSignalToProcessId', 'sendSignalToProcessName', 'ping',
  'getVersion', 'getReport', 'reloadLogs'];
function rpcError(err) {
  // What pm2-axon-rpc makes of an error on the wire: a new Error with the message.
  const e = new Error(err && err.message ? err.message : String(err));
  if (err && err.stack) e.stack = err.stack;
  return e;
}
function call(method, arg, fn) {
  const sent = clone(arg);
  if (method === 'prepare') record.apps.push(clone(sent));
  setImmediate(() => {
    const God = god();
    if (EXPOSED.indexOf(method) === -1 || typeof God[method] !== 'function') {
      return fn && fn(new Error(`pm2-oracle: daemon method ${method} not available`));
    }
    God[method](sent, function (err, res) {
      const reply = clone(res);
      if (method === 'prepare' && !err && Array.isArray(reply)) {
        reply.forEach((clu) => {
          if (clu && clu.pm2_env) record.processes[clu.pm2_env.pm_id] = clone(clu.pm2_env);
        });
      }
      if (fn) fn(err ? rpcError(err) : null, reply);
    });
  });
}

const Client = require(PM2 + '/lib/Client.js');
Client.prototype.start = function (cb) {
  // Asynchronous, as connecting to the daemon's socket is: lib/binaries/CLI.js calls
  // pm2.connect() before it defines its commands, and parses argv in the callback.
  this.client = { call };
  this.client_sock = null;
  const meta = {
    daemon_mode: true,
    new_pm2_instance: false,
    rpc_socket_file: this.rpc_socket_file,
    pub_socket_file: this.pub_socket_file,
    pm2_home: this.pm2_home,
  };
  setImmediate(() => cb(null, meta));
};
Client.prototype.close = function (cb) {
  if (cb) cb();
};
Client.prototype.launchBus = function (cb) {
  if (cb) cb(null, new EventEmitter(), null);
};

// Errors the start callback receives; the final table replaced by a plain exit.
const API = require(PM2 + '/lib/API.js');
function noteErrors(err) {
  if (!err) return;
  (Array.isArray(err) ? err : [err]).forEach((e) => {
    if (e) record.errors.push(e && e.message !== undefined ? String(e.message) : String(e));
  });
}
const start = API.prototype.start;
API.prototype.start = function (cmd, opts, cb) {
  if (typeof opts === 'function') {
    cb = opts;
    opts = {};
  }
  const that = this;
  return start.call(this, cmd, opts, function (err, procs) {
    noteErrors(err);
    return cb ? cb(err, procs) : that.speedList();
  });
};
API.prototype.speedList = function (code) {
  const that = this;
  if (cfg.save) {
    // `pm2 save` after the start, in the same daemon.
    return this.dump(true, function (err) {
      noteErrors(err);
      const cst = require(PM2 + '/constants.js');
      try {
        record.dump = fs.readFileSync(cst.DUMP_FILE_PATH, 'utf8');
      } catch (e) {
        noteErrors(e);
      }
      that.exitCli(code);
    });
  }
  return this.exitCli(code);
};

process.argv = [process.argv[0], PM2 + '/bin/pm2'].concat(process.argv.slice(2));
require(PM2 + '/bin/pm2');
