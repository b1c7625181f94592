module.exports = {
  apps: [
    {
      name: 'nightly-report',
      script: 'report.js',
      cron_restart: '0 3 * * *',
      autorestart: false,
    },
    {
      name: 'cache-warmer',
      script: 'warm.js',
      cron: '*/15 * * * *',
    },
    {
      // croner's six-field form: seconds first
      name: 'ticker',
      script: 'tick.js',
      cron_restart: '30 0 */6 * * *',
      instances: 1,
    },
    {
      name: 'no-cron',
      script: 'noop.js',
      cron_restart: 0,
    },
  ],
};
