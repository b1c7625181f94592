// Storefront (Next.js), built with `npm run build` and served by `npm start`.
module.exports = {
  apps: [
    {
      name: 'shop',
      script: 'npm',
      args: 'start',
      cwd: '/srv/shop',
      env: {
        NODE_ENV: 'production',
        PORT: 3000,
        NEXT_TELEMETRY_DISABLED: 1,
      },
      max_memory_restart: '1G',
      exp_backoff_restart_delay: 100,
    },
  ],
};
