// Secrets come from .env (dotenv), loaded into the pm2 CLI's own environment.
require('dotenv').config();

module.exports = {
  apps: [
    {
      name: 'billing',
      script: 'index.js',
      env: {
        NODE_ENV: 'production',
        PORT: process.env.PORT || 5000,
        STRIPE_KEY: process.env.STRIPE_KEY,
      },
    },
    {
      name: 'billing-jobs',
      script: 'jobs.js',
      env: {
        DATABASE_URL: process.env.DATABASE_URL,
        JOBS_CONCURRENCY: process.env.JOBS_CONCURRENCY || 2,
      },
    },
  ],
};
