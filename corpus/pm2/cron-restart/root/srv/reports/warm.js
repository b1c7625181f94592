// stand-in app
console.log('warm.js');
