// Preloaded (`node -r bench/maxrss.cjs dist/cli.js train ...`) by bench/bench.ts into the
// fresh `blobs train` processes it times: at exit, the process's peak resident set size
// (worker threads included: they share the process) on stderr, for the 1M-sample
// workload's memory comparison with PyTorch (which reports its own ru_maxrss).
process.on('exit', () => {
  require('node:fs').writeSync(2, `\nBENCH_MAXRSS_KIB ${process.resourceUsage().maxRSS}\n`);
});
