// stand-in app
console.log('presence.js');
