// stand-in app
console.log('migrate.js');
