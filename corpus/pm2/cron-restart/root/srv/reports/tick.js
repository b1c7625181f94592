// stand-in app
console.log('tick.js');
