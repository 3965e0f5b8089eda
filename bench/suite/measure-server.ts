import { checkOutputs } from '../../ts/client/output-check';
import { encodeRestRequest } from '../../ts/client/rest-encodings';
import { errorKeyOf, errorMessageOf } from '../../ts/client/request-error';
import type { InferTransport } from '../../ts/client/transport';
import { SMALL_MODELS, type BenchModel } from './bench-models';
import { cellPlan, plannedLevels, type PlanSettings } from './cell-plan';
import type { CellResult, LoadGenerator } from './cell-result';
import { measureCell } from './measure-cell';
import { benchInputs } from './model-inputs';
import { LOOPBACK } from './network';
import type { StartedServer } from './server-children';
import { createTransport } from './transports';
import { runsInference, variantLabel, type Variant } from './variants';
import { cellTimeLimitMs, withWatchdog } from './watchdog';
import { wrkTarget, type WrkTarget } from './wrk-load';

/** The first request of a variant and model (Mask R-CNN's first run is the slowest). */
const CHECK_LIMIT_MS = 120_000;

/** Which load generator drives the REST cells that run for a fixed time. */
export type HttpLoad = 'clients' | 'wrk';

export interface ServerRun {
  cells: CellResult[];
  /** Variants and models that could not be measured, and why. */
  failures: string[];
}

/**
 * Measures every planned cell of the server's variants: per variant and model, one checked request
 * (outputs against the metadata; it also warms the model), then each concurrency level.
 */
export async function measureServer(
  server: StartedServer,
  variants: readonly Variant[],
  models: readonly BenchModel[],
  settings: PlanSettings,
  httpLoad: HttpLoad,
  onCell: (cell: CellResult) => void,
): Promise<ServerRun> {
  const run: ServerRun = { cells: [], failures: [] };
  for (const variant of variants) {
    if (variant.client === 'in-process') continue;
    const levels = models.map((model) => plannedLevels(settings, variant, model.name));
    const transport = createTransport(variant.client, server, Math.max(1, ...levels.flat()));
    try {
      for (const [index, model] of models.entries()) {
        if (levels[index]!.length === 0) continue;
        const record = (cell: CellResult): void => {
          run.cells.push(cell);
          onCell(cell);
        };
        try {
          await measureModel(server, transport, variant, model, levels[index]!, settings, httpLoad, record);
        } catch (error) {
          run.failures.push(`${variantLabel(variant)} on ${model.name}: ${errorKeyOf(error)}: ${errorMessageOf(error)}`);
        }
      }
    } finally {
      transport.close();
    }
  }
  return run;
}

async function measureModel(
  server: StartedServer,
  transport: InferTransport,
  variant: Variant,
  model: BenchModel,
  levels: readonly number[],
  settings: PlanSettings,
  httpLoad: HttpLoad,
  record: (cell: CellResult) => void,
): Promise<void> {
  const spec = await transport.fetchModelSpec(model.name);
  const inputs = benchInputs(spec);
  const call = transport.prepare(spec, inputs);
  // The HTTP ceiling answers no outputs: only its status is checked.
  const check = runsInference(variant)
    ? call.infer().then((outputs) => checkOutputs(model.name, transport.answeredOutputs(spec), outputs))
    : call.send();
  const checked = await withWatchdog(check, CHECK_LIMIT_MS, () => server.process.kill());
  if (checked.expired) throw new Error(`the first request took over ${CHECK_LIMIT_MS / 1000} s: ${server.id} was presumed hung and killed`);

  // wrk ends a run at its deadline without waiting for answers in flight: fine for the small
  // models' sub-millisecond requests, not for the big ones, which stay on the clients' loop.
  const isRest = variant.client === 'rest-binary' || variant.client === 'rest-json';
  let wrk: WrkTarget | undefined;
  if (httpLoad === 'wrk' && isRest && SMALL_MODELS.includes(model.name)) {
    const request = encodeRestRequest(variant.client === 'rest-binary' ? 'binary' : 'json', spec, inputs);
    wrk = await wrkTarget(`http://${LOOPBACK}:${server.httpPort}`, request);
  }
  try {
    for (const concurrency of levels) {
      const plan = cellPlan(settings, variant, model.name, concurrency)!;
      const generator: LoadGenerator = wrk !== undefined && plan.kind === 'duration' ? 'wrk' : 'clients';
      const work =
        generator === 'wrk' && plan.kind === 'duration'
          ? wrk!.measure(concurrency, plan.warmupSec, plan.durationSec)
          : measureCell(() => call.send(), concurrency, plan);
      const limitMs = cellTimeLimitMs(plan);
      const { value: measured, expired } = await withWatchdog(work, limitMs, () => server.process.kill());
      record({ ...variant, model: model.name, concurrency, plan, generator, ...measured });
      if (expired) {
        throw new Error(`c=${concurrency} did not finish within ${limitMs / 1000} s: ${server.id} was presumed hung and killed`);
      }
    }
  } finally {
    await wrk?.close();
  }
}
