// Preloaded (node -r) into a test's server process: samples event-loop delay at 1 ms resolution;
// SIGUSR2 prints the worst delay since the last signal ("loop-delay <n> max-ms=<x>") and resets.
const { monitorEventLoopDelay } = require('node:perf_hooks');
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
let reports = 0;
process.on('SIGUSR2', () => {
  const maxMs = histogram.max / 1e6;
  histogram.reset();
  process.stderr.write(`loop-delay ${++reports} max-ms=${maxMs.toFixed(1)}\n`);
});
