import { checkOutputs } from '../../ts/client/output-check';
import { encodeRestRequest } from '../../ts/client/rest-encodings';
import { errorKeyOf, errorMessageOf } from '../../ts/client/request-error';
import type { InferTransport } from '../../ts/client/transport';
import { modelInferBody, MODEL_INFER_PATH } from '../common/inference-proto';
import { missingToolNote, type LoadTool } from '../common/load-tools';
import { NATIVE_LOAD_MODELS, type BenchModelFile } from '../common/models';
import { LOOPBACK } from '../common/network';
import { cpuMeter } from '../common/process-cpu';
import { cellPlan, plannedLevels, type PlanSettings } from './cell-plan';
import { cpuUsPerRequest, type CellResult, type LoadGenerator, type Measurement, type RefusedCell } from './cell-result';
import { h2loadTarget } from './h2load-load';
import { measureCell } from './measure-cell';
import { benchInputs } from './model-inputs';
import type { StartedServer } from './server-children';
import { createTransport } from './transports';
import { runsInference, variantLabel, type Variant } from './variants';
import { cellTimeLimitMs, withWatchdog } from './watchdog';
import { wrkTarget } from './wrk-load';

/** The first request of a variant and model (Mask R-CNN's first run is the slowest). */
const CHECK_LIMIT_MS = 120_000;

/**
 * Who sends the load of the time-boxed cells of the small models and SqueezeNet: 'native' = wrk (REST) and h2load
 * (gRPC), C programs that need a fraction of a core; 'clients' = the clients' node:http and grpc-js
 * loop, like every other cell. The big models always use the clients' loop.
 */
export type LoadChoice = 'native' | 'clients';

export interface LoadSettings {
  load: LoadChoice;
  /** Which native tools this machine has. */
  available: Readonly<Record<LoadTool, boolean>>;
  /** HTTP/2 connections h2load spreads a cell's calls over. */
  h2loadConnections: number;
}

export interface ServerRun {
  cells: CellResult[];
  refused: RefusedCell[];
  /** Variants and models that could not be measured, and why. */
  failures: string[];
}

/** A native cell's prepared load: measure runs the warm-up, calls onMeasuredStart, then the measured run. */
interface NativeTarget {
  tool: LoadTool;
  measure(concurrency: number, warmupSec: number, durationSec: number, onMeasuredStart: () => void): Promise<Measurement>;
  close(): Promise<void>;
}

/**
 * Measures every planned cell of the server's variants: per variant and model, one checked request
 * (outputs against the metadata; it also warms the model), then each concurrency level, the
 * server's CPU time read from /proc around each measured run.
 */
export async function measureServer(
  server: StartedServer,
  variants: readonly Variant[],
  models: readonly BenchModelFile[],
  settings: PlanSettings,
  load: LoadSettings,
  onCell: (cell: CellResult) => void,
): Promise<ServerRun> {
  const run: ServerRun = { cells: [], refused: [], failures: [] };
  for (const variant of variants) {
    if (variant.client === 'in-process') continue;
    const levels = models.map((model) => plannedLevels(settings, variant, model.name));
    const transport = createTransport(variant.client, server, Math.max(1, ...levels.flat()));
    try {
      for (const [index, model] of models.entries()) {
        if (levels[index]!.length === 0) continue;
        const tool = nativeTool(variant, model.name, load.load);
        if (tool !== undefined && !load.available[tool]) {
          const reason = missingToolNote(tool, `the ${variantLabel(variant)} cells of ${model.name}`);
          for (const concurrency of levels[index]!) run.refused.push({ ...variant, model: model.name, concurrency, reason });
          continue;
        }
        const record = (cell: CellResult): void => {
          run.cells.push(cell);
          onCell(cell);
        };
        try {
          await measureModel(server, transport, variant, model, levels[index]!, settings, tool, load, record);
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

/** The native tool that drives the variant's cells of `model`, if any. */
export function nativeTool(variant: Variant, model: string, load: LoadChoice): LoadTool | undefined {
  if (load !== 'native' || !NATIVE_LOAD_MODELS.includes(model)) return undefined;
  if (variant.client === 'rest-binary' || variant.client === 'rest-json') return 'wrk';
  return variant.client === 'grpc' ? 'h2load' : undefined;
}

async function measureModel(
  server: StartedServer,
  transport: InferTransport,
  variant: Variant,
  model: BenchModelFile,
  levels: readonly number[],
  settings: PlanSettings,
  tool: LoadTool | undefined,
  load: LoadSettings,
  record: (cell: CellResult) => void,
): Promise<void> {
  const spec = await transport.fetchModelSpec(model.name);
  const inputs = benchInputs(spec);
  const call = transport.prepare(spec, inputs);
  // The ceilings answer no outputs: only that the call succeeded is checked.
  const check = runsInference(variant)
    ? call.infer().then((outputs) => checkOutputs(model.name, transport.answeredOutputs(spec), outputs))
    : call.send();
  const checked = await withWatchdog(check, CHECK_LIMIT_MS, () => server.process.kill());
  if (checked.expired) throw new Error(`the first request took over ${CHECK_LIMIT_MS / 1000} s: ${server.id} was presumed hung and killed`);

  let native: NativeTarget | undefined;
  if (tool === 'wrk') {
    const request = encodeRestRequest(variant.client === 'rest-binary' ? 'binary' : 'json', spec, inputs);
    native = { tool, ...(await wrkTarget(`http://${LOOPBACK}:${server.httpPort}`, request)) };
  } else if (tool === 'h2load') {
    const url = `http://${LOOPBACK}:${server.grpcPort}${MODEL_INFER_PATH}`;
    native = { tool, ...(await h2loadTarget(url, modelInferBody(spec.name, inputs), load.h2loadConnections)) };
  }
  try {
    for (const concurrency of levels) {
      const plan = cellPlan(settings, variant, model.name, concurrency)!;
      // wrk and h2load end a run at its deadline without waiting for answers in flight: fine up to SqueezeNet's ~10 ms.
      const generator: LoadGenerator = native !== undefined && plan.kind === 'duration' ? native.tool : 'clients';
      let meter: { stop(): number } | undefined;
      const startMeter = (): void => {
        meter = cpuMeter(server.process.pid);
      };
      const work =
        native !== undefined && plan.kind === 'duration'
          ? native.measure(concurrency, plan.warmupSec, plan.durationSec, startMeter)
          : measureCell(() => call.send(), concurrency, plan, startMeter);
      const limitMs = cellTimeLimitMs(plan);
      const { value: measured, expired } = await withWatchdog(work, limitMs, () => server.process.kill());
      const serverCpuUsPerRequest = cpuUsPerRequest(meter?.stop() ?? Number.NaN, measured);
      record({ ...variant, model: model.name, concurrency, plan, generator, serverCpuUsPerRequest, ...measured });
      if (expired) {
        throw new Error(`c=${concurrency} did not finish within ${limitMs / 1000} s: ${server.id} was presumed hung and killed`);
      }
    }
  } finally {
    await native?.close();
  }
}
