// stand-in app
console.log('noop.js');
