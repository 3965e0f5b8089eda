import { TINY_MODEL } from '../common/models';
import { checkTarget, type TargetResult } from '../common/targets';
import type { ConfigResult } from './results';

/** Issue 13's microbenchmark targets, from the tiny model's configurations of this run. */
export function microTargets(results: readonly ConfigResult[]): TargetResult[] {
  const at = (inFlight: number) => results.find((r) => r.model === TINY_MODEL && r.inFlight === inFlight);
  const sixteen = at(16);
  const one = at(1);
  const rate = (r: ConfigResult | undefined, path: 'proton' | 'ort-main' | 'ort-worker') => r?.paths[path].callsPerSecond;
  const figures = (r: ConfigResult | undefined, base: 'ort-main' | 'ort-worker', inFlight: number): string =>
    r === undefined
      ? `${TINY_MODEL} at ${inFlight} in flight not measured (--models ${TINY_MODEL} --in-flight ${inFlight})`
      : `Proton ${Math.round(rate(r, 'proton')!)} calls/s vs ${base} ${Math.round(rate(r, base)!)} calls/s`;
  return [
    checkTarget(`${TINY_MODEL}, 16 in flight: Proton ≥ 1.5x onnxruntime-node in the main thread`, sixteen?.ratios.vsOrtMain, 1.5, 'at-least', figures(sixteen, 'ort-main', 16)),
    checkTarget(`${TINY_MODEL}, 16 in flight: Proton ≥ 3x the lean worker path`, sixteen?.ratios.vsOrtWorker, 3, 'at-least', figures(sixteen, 'ort-worker', 16)),
    // "Within 1.5x of the main thread": at least 1/1.5 of its calls per second.
    checkTarget(`${TINY_MODEL}, 1 in flight: Proton within 1.5x of the main thread (≥ 0.67x its calls/s)`, one?.ratios.vsOrtMain, 1 / 1.5, 'at-least', figures(one, 'ort-main', 1)),
  ];
}
