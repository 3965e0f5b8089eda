/**
 * SIGTERM/SIGINT handling of the benchmark child servers: close what is open, then exit 0, so the
 * suite's "SIGTERM then wait" ends every child cleanly. A second signal exits at once.
 */
export function exitOnSignal(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Logs a start-up failure and exits non-zero, so the suite reports it instead of waiting. */
export function failStartup(error: unknown): never {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
