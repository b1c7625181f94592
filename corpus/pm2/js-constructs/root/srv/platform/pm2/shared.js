// Settings shared by every service of the platform.
module.exports = {
  defaults: {
    max_memory_restart: '400M',
    kill_timeout: 8000,
    exp_backoff_restart_delay: 200,
    time: true,
  },
  env: {
    NODE_ENV: 'production',
    TZ: 'UTC',
  },
};
