// stand-in app
console.log('server.js');
