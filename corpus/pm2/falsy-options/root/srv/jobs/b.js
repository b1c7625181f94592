// stand-in app
console.log('b.js');
