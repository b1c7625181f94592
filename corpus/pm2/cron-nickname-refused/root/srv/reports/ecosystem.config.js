module.exports = {
  apps: [
    { name: 'daily', script: 'daily.js', cron_restart: '0 6 * * 1-5' },
    { name: 'weekly', script: 'weekly.js', cron_restart: '@weekly' },
  ],
};
