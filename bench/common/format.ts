/** How the benchmark reports write numbers. */

/** Requests per second: whole numbers from 100 up, else three significant digits. */
export function formatThroughput(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/** Milliseconds with precision that suits the magnitude; seconds from 10 s up. */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

/** A throughput ratio as "0.97x"; "-" when there is none. */
export function formatRatio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : `${value.toFixed(2)}x`;
}

/** Microseconds: whole numbers from 100 up, one decimal below; "-" when unknown. */
export function formatMicros(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** A server's CPU time per request in µs, or "-" when it was not measured. */
export function formatCpuUs(value: number | undefined): string {
  return value === undefined ? '-' : formatMicros(value);
}
