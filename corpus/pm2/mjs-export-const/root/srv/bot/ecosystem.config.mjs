// ES module config: a named export, which PM2 reads through require(esm).
const env = { NODE_ENV: 'production', BOT_PREFIX: '!' };

export const apps = [
  {
    name: 'bot',
    script: './index.js',
    env,
    max_memory_restart: '200M',
    restart_delay: 3000,
  },
];
