// stand-in app
console.log('app.js');
