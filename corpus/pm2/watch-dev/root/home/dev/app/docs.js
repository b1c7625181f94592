// stand-in app
console.log('docs.js');
