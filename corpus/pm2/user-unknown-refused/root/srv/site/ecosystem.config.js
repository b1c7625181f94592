// `node` exists on the machine the file was written for, not on this one.
module.exports = {
  apps: [
    { name: 'site', script: 'server.js' },
    { name: 'mailer', script: 'mailer.js', user: 'node' },
  ],
};
