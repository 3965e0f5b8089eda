import type { CallMeasurement } from '../common/stats';

/** The paths the microbenchmark compares (see bench/in-process). */
export const PATH_NAMES = ['proton', 'ort-main', 'ort-worker'] as const;
export type PathName = (typeof PATH_NAMES)[number];

/** Every path measured on one model with a fixed number of calls in flight. */
export interface ConfigResult {
  model: string;
  inFlight: number;
  /** How the figures were taken: see bench/in-process/measure.ts. */
  method: 'tinybench' | 'fixed-concurrency loop';
  paths: Record<PathName, CallMeasurement>;
  /** Proton's throughput divided by each baseline's. */
  ratios: { vsOrtMain: number; vsOrtWorker: number };
}

export function configResult(
  model: string,
  inFlight: number,
  method: ConfigResult['method'],
  measured: ReadonlyMap<string, CallMeasurement>,
): ConfigResult {
  const paths = {} as Record<PathName, CallMeasurement>;
  for (const name of PATH_NAMES) {
    const measurement = measured.get(name);
    if (measurement === undefined) throw new Error(`${model}, ${inFlight} in flight: ${name} was not measured`);
    paths[name] = measurement;
  }
  const proton = paths.proton.callsPerSecond;
  return {
    model,
    inFlight,
    method,
    paths,
    ratios: { vsOrtMain: proton / paths['ort-main'].callsPerSecond, vsOrtWorker: proton / paths['ort-worker'].callsPerSecond },
  };
}
