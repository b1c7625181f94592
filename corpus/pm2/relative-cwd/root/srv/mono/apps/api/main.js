// stand-in app
console.log('main.js');
