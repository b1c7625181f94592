// stand-in app
console.log('gateway.js');
