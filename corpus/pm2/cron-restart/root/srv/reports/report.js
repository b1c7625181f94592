// stand-in app
console.log('report.js');
