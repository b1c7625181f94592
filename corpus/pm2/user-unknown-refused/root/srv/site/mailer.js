// stand-in app
console.log('mailer.js');
