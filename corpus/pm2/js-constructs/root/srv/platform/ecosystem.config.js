const path = require('path');
const shared = require('./pm2/shared');

const services = ['orders', 'payments', 'notifications'];
const basePort = Number(process.env.BASE_PORT || 7000);

const base = {
  ...shared.defaults,
  cwd: __dirname,
  env: { ...shared.env, LOG_DIR: path.join(__dirname, 'logs') },
};

const apps = [];
for (const [i, service] of services.entries()) {
  apps.push({
    ...base,
    name: `svc-${service}`,
    script: path.join(__dirname, 'services', service, 'index.js'),
    out_file: path.join(__dirname, 'logs', `${service}.out.log`),
    env: { ...base.env, SERVICE: service, PORT: basePort + i },
  });
}

apps.push({
  name: 'platform-' + path.basename(__dirname),
  script: 'gateway.js',
  instances: process.env.GATEWAY_INSTANCES ? Number(process.env.GATEWAY_INSTANCES) : 1,
  exec_mode: 'fork',
  env: {
    REGION: process.env.REGION || 'eu-west-1',
    UPSTREAMS: services.map((s, i) => `${s}=http://127.0.0.1:${basePort + i}`).join(','),
  },
});

module.exports = { apps };
