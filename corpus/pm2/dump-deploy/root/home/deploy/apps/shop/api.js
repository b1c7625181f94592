// stand-in app
console.log('api.js');
