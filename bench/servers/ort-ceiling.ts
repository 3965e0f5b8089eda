/**
 * The raw ONNX Runtime ceiling: no server, no network. Loads one model with the Proton addon
 * (same threads as the servers) and keeps N calls in flight in a tight loop, with the clients'
 * load loop and the suite's inputs. Runs as its own process so nothing else shares its event loop.
 * Prints one line `RESULT <json>`: a measurement and this process's CPU time per requested cell.
 * Usage: node dist/bench/servers/ort-ceiling.js --model name=path --threads 1 --cells '[{"concurrency":1,"plan":{...}}]'
 */
import { Command } from 'commander';
import { Model } from '../../ts/model';
import type { InferInputs } from '../../ts/model-types';
import { positiveInteger } from '../common/cli-options';
import { cpuMeter } from '../common/process-cpu';
import { RESULT_PREFIX, type CeilingCell, type CeilingResult } from '../suite/ceiling-protocol';
import { measureCell } from '../suite/measure-cell';
import { benchInputs, specOfMetadata } from '../suite/model-inputs';
import { collectModel, type ModelArg } from './server-cli';
import { failStartup } from './shutdown';

async function main(): Promise<void> {
  const options = new Command('ort-ceiling')
    .requiredOption('--model <name=path>', 'the model', collectModel, [] as ModelArg[])
    .option('--threads <n>', 'ONNX Runtime intra-op threads', positiveInteger, 1)
    .requiredOption('--cells <json>', 'the cells to measure, as JSON')
    .parse()
    .opts<{ model: ModelArg[]; threads: number; cells: string }>();
  const [modelArg] = options.model;
  if (!modelArg) throw new Error('give --model name=path');
  const cells = JSON.parse(options.cells) as CeilingCell[];

  const model = await Model.load(modelArg.path, { intraOpNumThreads: options.threads });
  const inputs: InferInputs = {};
  for (const tensor of benchInputs(specOfMetadata(modelArg.name, model.metadata))) {
    inputs[tensor.name] = { type: tensor.type, dims: tensor.dims, data: tensor.data } as InferInputs[string];
  }
  const send = (): Promise<unknown> => model.infer(inputs);
  await send(); // the first run allocates ORT's buffers: keep it out of every cell
  const results: CeilingResult[] = [];
  for (const cell of cells) {
    let meter: { stop(): number } | undefined;
    const measurement = await measureCell(send, cell.concurrency, cell.plan, () => {
      meter = cpuMeter(process.pid);
    });
    results.push({ measurement, cpuMs: meter?.stop() ?? Number.NaN });
  }
  await model.close();
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(results)}\n`);
}

main().catch(failStartup);
