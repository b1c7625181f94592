// REST API: development defaults in `env`, production overrides in `env_production`
// (pm2 start ecosystem.config.js --env production), deployed with `pm2 deploy production`.
module.exports = {
  apps: [
    {
      name: 'api',
      script: 'dist/server.js',
      cwd: '/srv/api',
      user: 'www-data',
      node_args: '--max-old-space-size=512 --enable-source-maps',
      time: true,
      out_file: '/var/log/api/out.log',
      error_file: '/var/log/api/error.log',
      pid_file: '/run/api/api.pid',
      kill_timeout: 5000,
      listen_timeout: 8000,
      wait_ready: true,
      shutdown_with_message: true,
      max_restarts: 10,
      min_uptime: '10s',
      restart_delay: 2000,
      max_memory_restart: '512M',
      env: {
        NODE_ENV: 'development',
        PORT: 4000,
        LOG_LEVEL: 'debug',
        DATABASE_URL: 'postgres://api:devpass@localhost:5432/api_dev',
        FEATURES: { search: true, export: false },
      },
      env_production: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        DATABASE_URL: 'postgres://api:Pr0d-s3cret@db.internal:5432/api',
        JWT_SECRET: 'c2VjcmV0LWtleS1mb3Itand0LXNpZ25pbmc=',
        STRIPE_SECRET_KEY: 'sk_live_51HxEXAMPLEonlyNotARealKey',
        SENTRY_DSN: process.env.SENTRY_DSN,
      },
      env_staging: {
        NODE_ENV: 'staging',
        DATABASE_URL: 'postgres://api:stagepass@db.staging:5432/api',
      },
    },
  ],
  deploy: {
    production: {
      user: 'deploy',
      host: ['api1.example.com', 'api2.example.com'],
      ref: 'origin/main',
      repo: 'git@github.com:example/api.git',
      path: '/srv/api',
      'post-deploy': 'npm ci && npm run build && pm2 reload ecosystem.config.js --env production',
      env: {
        NODE_ENV: 'production',
        DEPLOYED_BY: 'pm2-deploy',
        PORT: 4100,
      },
    },
  },
};
