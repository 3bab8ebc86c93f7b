// Placeholder entry; replaced by the command router.
console.log('mjw: commands coming');
