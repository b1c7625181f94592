// stand-in app
console.log('a.js');
