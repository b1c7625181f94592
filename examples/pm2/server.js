// Stand-in for the shop's HTTP API.
const http = require('http');
http.createServer((req, res) => res.end('ok\n')).listen(Number(process.env.PORT) || 3000);
