/**
 * The workload of the leak check: load, infer, close, abandon to GC, and error paths, many times.
 * Run by test/leak/run.sh under LeakSanitizer, which reports at process exit.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Model, ProtonError } from '../../ts/index';
import { native } from '../../ts/native';
import { DEMO_MODELS_DIR, ensureDemoModels } from '../../ts/onnx/demo-models';
import { GraphBuilder } from '../../ts/onnx/model-builder';

const rounds = Number(process.argv[2] ?? 100);

async function main(): Promise<void> {
  const models = await ensureDemoModels(DEMO_MODELS_DIR);
  const data = new Float32Array(16).fill(1);
  const addInputs = { a: { type: 'float32' as const, dims: [1, 16], data }, b: { type: 'float32' as const, dims: [1, 16], data } };
  const gc = (globalThis as { gc?: () => void }).gc;
  // Dynamic dims, so a mismatched pair fails inside Run (error path with a detail).
  const dynamicAdd = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proton-leak-')), 'dynamic_add.onnx');
  fs.writeFileSync(
    dynamicAdd,
    new GraphBuilder('dynamic_add')
      .addInput('a', 'float32', ['n'])
      .addInput('b', 'float32', ['m'])
      .addNode('Add', ['a', 'b'], ['sum'])
      .addOutput('sum', 'float32', ['k'])
      .serialize(),
  );
  let logRecords = 0;
  native.setLogSeverity(1);
  native.setLogSink(() => void logRecords++);
  for (let round = 0; round < rounds; round++) {
    const add = await Model.load(models.add, { queueCapacity: 64 });
    const mlp = await Model.load(models.mlp, { maxBatchSize: 8, instances: 2 });
    const x = new Float32Array(3 * 256).fill(0.5);
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      work.push(add.infer(addInputs));
      work.push(mlp.infer({ x: { type: 'float32', dims: [3, 256], data: x } }, { timeoutMs: i % 2 ? 0.001 : 0 }).catch(() => undefined));
    }
    work.push(add.infer({ a: addInputs.a }).catch((e: ProtonError) => e.code));
    work.push(Model.load('/nonexistent.onnx').catch((e: ProtonError) => e.code));
    work.push(Model.load(models.add, { testFailThreadStart: 0 }).catch((e: ProtonError) => e.code));
    work.push(Model.load(models.mlp, { instances: 2, testFailThreadStart: 1 }).catch((e: ProtonError) => e.code));
    work.push(add.inferWithTiming(addInputs));
    const thrower = await Model.load(models.add, { testThrowOnSettle: 1 });
    const broken = await Model.load(dynamicAdd);
    const f = (n: number) => ({ type: 'float32' as const, dims: [n], data: new Float32Array(n) });
    for (let i = 0; i < 3; i++) work.push(thrower.infer(addInputs).catch(() => undefined));
    work.push(broken.infer({ a: f(2), b: f(3) }).catch((e: ProtonError) => e.detail));
    // Outputs of 64 KiB and more are adopted by JS (freed by their finalizer): one kept, one dropped.
    work.push(broken.infer({ a: f(40_000), b: f(40_000) }));
    void broken.infer({ a: f(20_000), b: f(20_000) });
    const controller = new AbortController();
    work.push(add.infer(addInputs, { signal: controller.signal }).catch(() => undefined));
    controller.abort();
    await Promise.all(work);
    await Promise.all([thrower.close(), broken.close()]);
    await add.close();
    if (round % 2 === 0) await mlp.close(); // odd rounds: left to the garbage collector
    if (gc && round % 10 === 0) gc();
  }
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  native.setLogSink(null);
  console.log(`leak-check workload: ${rounds} rounds done (${logRecords} ONNX Runtime log records)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
