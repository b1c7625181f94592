// stand-in app
console.log('index.js');
