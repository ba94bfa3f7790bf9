// Preloaded with `node --import` into a child process: prints the process's peak resident memory
// (bytes) on stderr as it exits, as the line `peak-rss N`.
process.on('exit', () => {
  process.stderr.write(`\npeak-rss ${process.resourceUsage().maxRSS * 1024}\n`);
});
