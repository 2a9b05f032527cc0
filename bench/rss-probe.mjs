// Loaded with `node --import` by bench/failed-retry.mjs: reports the process's peak RSS (KiB) on exit.
process.on('exit', () => process.stderr.write(`qtool-bench-maxrss ${process.resourceUsage().maxRSS}\n`));
