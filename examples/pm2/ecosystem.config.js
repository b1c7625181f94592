// A small shop: an HTTP API (two instances on consecutive ports) and a queue worker.
// `pm2 start ecosystem.config.js` runs both; `systemdify convert` turns them into units.
const path = require('path');

module.exports = {
  apps: [
    {
      name: 'shop-api',
      script: './server.js',
      instances: 2,
      exec_mode: 'fork',
      increment_var: 'PORT',
      node_args: '--max-old-space-size=256',
      env: {
        NODE_ENV: 'production',
        PORT: 3000,
        SESSION_SECRET: 'change-me',
      },
      kill_timeout: 5000,
    },
    {
      name: 'shop-worker',
      script: path.join(__dirname, 'worker.js'),
      args: '--queue emails --concurrency 4',
      restart_delay: 3000,
      out_file: '/var/log/shop/worker.log',
      error_file: '/var/log/shop/worker.err.log',
      env: { NODE_ENV: 'production', QUEUE_URL: process.env.QUEUE_URL || 'redis://127.0.0.1:6379/0' },
    },
  ],
};
