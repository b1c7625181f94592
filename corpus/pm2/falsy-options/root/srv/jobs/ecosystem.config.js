// Zero and false values written out on purpose.
module.exports = {
  apps: [
    {
      name: 'a',
      script: 'a.js',
      max_restarts: 0,
      kill_timeout: 0,
      restart_delay: 0,
      min_uptime: 0,
      stop_exit_codes: 0,
      merge_logs: false,
      watch: false,
      autorestart: false,
      instances: 1,
      exec_mode: 'fork',
    },
    {
      name: 'b',
      script: 'b.js',
      maxRestarts: 5,
      killTimeout: 2500,
      stopExitCodes: [2],
      combine_logs: true,
      instances: 0,
      exec_mode: 'fork_mode',
      env: { ZERO: 0, FALSE: false, NULL: null, LIST: [1, 2] },
    },
  ],
};
