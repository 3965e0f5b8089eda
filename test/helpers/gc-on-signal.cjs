// Preloaded (node --expose-gc -r) into a test's server process: SIGUSR2 runs a full GC, so a
// memory test can tell memory that is still held from garbage V8 has not yet collected.
process.on('SIGUSR2', () => globalThis.gc());
