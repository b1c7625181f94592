// stand-in app
console.log('daily.js');
