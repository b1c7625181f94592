// Monorepo: started from the repository root as `pm2 start deploy/ecosystem.config.js`.
module.exports = {
  apps: [
    { name: 'api', cwd: './apps/api', script: 'main.js', out_file: 'logs/api.log' },
    { name: 'web', cwd: 'apps/web', script: './server.js', env: { PORT: 8080 } },
  ],
};
