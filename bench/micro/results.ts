import { PATH_NAMES, type PathName } from './infer-path';
import type { Measurement } from './stats';

/** Every path measured on one model with a fixed number of calls in flight. */
export interface ConfigResult {
  model: string;
  inFlight: number;
  /** How the figures were taken: see measure.ts. */
  method: 'tinybench' | 'fixed-concurrency loop';
  paths: Record<PathName, Measurement>;
  /** Proton's throughput divided by each baseline's. */
  ratios: { vsOrtMain: number; vsOrtWorker: number };
}

export function configResult(
  model: string,
  inFlight: number,
  method: ConfigResult['method'],
  measured: ReadonlyMap<PathName, Measurement>,
): ConfigResult {
  const paths = {} as Record<PathName, Measurement>;
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
