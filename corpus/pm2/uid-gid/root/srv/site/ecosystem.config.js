module.exports = {
  apps: [
    { name: 'site', script: 'server.js', user: 'app', gid: 'www-data' },
    { name: 'mailer', script: 'mailer.js', uid: 1000 },
  ],
};
