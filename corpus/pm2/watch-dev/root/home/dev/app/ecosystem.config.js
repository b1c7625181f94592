module.exports = {
  apps: [
    {
      name: 'web',
      script: 'src/index.js',
      watch: ['src', 'config'],
      ignore_watch: ['node_modules', 'logs', '*.log'],
      watch_delay: 1000,
      watch_options: { followSymlinks: false, usePolling: true },
      env: { NODE_ENV: 'development' },
    },
    {
      name: 'docs',
      script: 'docs.js',
      watch: true,
      ignore_watch: 'node_modules public',
      log_file: true,
    },
    {
      // PM2's static file server
      name: 'static',
      script: 'serve',
      env: { PM2_SERVE_PATH: './public', PM2_SERVE_PORT: 8081, PM2_SERVE_SPA: 'true' },
    },
  ],
};
