import { checkOutputs } from '../../ts/client/output-check';
import { errorKeyOf, errorMessageOf } from '../../ts/client/request-error';
import type { PreparedCall } from '../../ts/client/transport';
import type { BenchModel } from './bench-models';
import { cellPlan, plannedLevels, type PlanSettings } from './cell-plan';
import type { CellResult } from './cell-result';
import { measureCell } from './measure-cell';
import { benchInputs } from './model-inputs';
import type { StartedServer } from './server-children';
import { createTransport } from './transports';
import { runsInference, variantLabel, type Variant } from './variants';

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
  onCell: (cell: CellResult) => void,
): Promise<ServerRun> {
  const run: ServerRun = { cells: [], failures: [] };
  for (const variant of variants) {
    if (variant.client === 'in-process') continue;
    const levels = models.map((model) => plannedLevels(settings, variant, model.name));
    const maxConcurrency = Math.max(1, ...levels.flat());
    const transport = createTransport(variant.client, server, maxConcurrency);
    try {
      for (const [index, model] of models.entries()) {
        if (levels[index]!.length === 0) continue;
        let call: PreparedCall;
        try {
          const spec = await transport.fetchModelSpec(model.name);
          call = transport.prepare(spec, benchInputs(spec));
          // The HTTP ceiling answers no outputs: only the status is checked there.
          if (runsInference(variant)) checkOutputs(model.name, transport.answeredOutputs(spec), await call.infer());
          else await call.send();
        } catch (error) {
          run.failures.push(`${variantLabel(variant)} on ${model.name}: ${errorKeyOf(error)}: ${errorMessageOf(error)}`);
          continue;
        }
        for (const concurrency of levels[index]!) {
          const plan = cellPlan(settings, variant, model.name, concurrency)!;
          const measured = await measureCell(() => call.send(), concurrency, plan);
          const cell: CellResult = { ...variant, model: model.name, concurrency, plan, ...measured };
          run.cells.push(cell);
          onCell(cell);
        }
      }
    } finally {
      transport.close();
    }
  }
  return run;
}
