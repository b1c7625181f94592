// stand-in app
console.log('worker.js');
