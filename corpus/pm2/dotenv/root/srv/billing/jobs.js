// stand-in app
console.log('jobs.js');
