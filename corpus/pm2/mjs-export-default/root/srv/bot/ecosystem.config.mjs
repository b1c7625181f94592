// The form pm2's own ecosystem-es template writes.
export default {
  apps: [
    {
      name: 'bot',
      script: './index.js',
      env: { NODE_ENV: 'production' },
    },
  ],
};
