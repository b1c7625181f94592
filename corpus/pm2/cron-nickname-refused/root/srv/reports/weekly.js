// stand-in app
console.log('weekly.js');
