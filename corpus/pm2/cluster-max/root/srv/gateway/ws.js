// stand-in app
console.log('ws.js');
