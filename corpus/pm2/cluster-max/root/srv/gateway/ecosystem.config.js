module.exports = {
  apps: [
    {
      name: 'gateway',
      script: './server.js',
      instances: 'max',
      exec_mode: 'cluster',
      increment_var: 'PORT',
      instance_var: 'INSTANCE_ID',
      merge_logs: true,
      env: {
        NODE_ENV: 'production',
        PORT: 8080,
      },
    },
    {
      // instances without exec_mode: PM2 picks cluster mode for node
      name: 'ws',
      script: 'ws.js',
      instances: -1,
      listen_timeout: 10000,
    },
    {
      name: 'admin',
      script: './bin/www',
      instances: '2',
      exec_mode: 'fork',
      env: { PORT: 9000 },
    },
  ],
};
