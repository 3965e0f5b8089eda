import { HEAVY_MODEL } from '../common/models';
import { runsInference, type Variant } from './variants';

/**
 * How long each cell runs. Most cells run for a fixed time after a warm-up; Mask R-CNN takes
 * seconds per inference, so its cells send a fixed small number of requests instead, and by
 * default only the variants that matter most measure it (see MASKRCNN_DEFAULT_*).
 */

export type CellPlan =
  | { kind: 'duration'; warmupSec: number; durationSec: number }
  /** `count` requests, no warm-up (each variant's check request before its cells warms the model). */
  | { kind: 'requests'; count: number };

export interface PlanSettings {
  durationSec: number;
  warmupSec: number;
  concurrency: readonly number[];
  maskrcnnConcurrency: readonly number[];
  /** Requests per Mask R-CNN cell at concurrency 1; at concurrency c, max(this, c) so every slot sends one. */
  maskrcnnRequests: number;
  /** Measure Mask R-CNN with every variant, not just the default selection. */
  maskrcnnAll: boolean;
}

const key = (variant: Variant): string => `${variant.server}/${variant.client}`;

/** Mask R-CNN at concurrency 1, by default: the ceilings, every Proton API, and one client of each other server. */
const MASKRCNN_DEFAULT_AT_1 = new Set([
  'ort-ceiling/in-process',
  'http-ceiling/rest-binary',
  'http-ceiling/rest-json',
  'proton/rest-binary',
  'proton/rest-json',
  'proton/grpc',
  'js-worker/rest-binary',
  'node-http/rest-json',
]);

/** Mask R-CNN above concurrency 1, by default: the original table's REST vs gRPC, and the HTTP ceiling. */
const MASKRCNN_DEFAULT_ABOVE_1 = new Set(['http-ceiling/rest-binary', 'http-ceiling/rest-json', 'proton/rest-binary', 'proton/grpc']);

/** The concurrency levels measured for `model`. */
export function concurrencyLevels(settings: PlanSettings, model: string): readonly number[] {
  return model === HEAVY_MODEL ? settings.maskrcnnConcurrency : settings.concurrency;
}

/** How the cell runs, or undefined when the suite skips it. */
export function cellPlan(settings: PlanSettings, variant: Variant, model: string, concurrency: number): CellPlan | undefined {
  const duration: CellPlan = { kind: 'duration', warmupSec: settings.warmupSec, durationSec: settings.durationSec };
  if (model !== HEAVY_MODEL) return duration;
  if (!settings.maskrcnnConcurrency.includes(concurrency)) return undefined;
  const selected = concurrency === 1 ? MASKRCNN_DEFAULT_AT_1 : MASKRCNN_DEFAULT_ABOVE_1;
  if (!settings.maskrcnnAll && !selected.has(key(variant))) return undefined;
  // Without inference a Mask R-CNN request is only a big body: time-boxed like the other models.
  if (!runsInference(variant)) return duration;
  return { kind: 'requests', count: Math.max(settings.maskrcnnRequests, concurrency) };
}

/** The concurrency levels at which the variant measures `model` (empty: the variant skips it). */
export function plannedLevels(settings: PlanSettings, variant: Variant, model: string): number[] {
  return concurrencyLevels(settings, model).filter((concurrency) => cellPlan(settings, variant, model, concurrency) !== undefined);
}
