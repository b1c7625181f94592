// Stand-in for the shop's queue worker.
setInterval(() => {}, 60 * 1000);
