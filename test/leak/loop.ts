/**
 * The workload of the leak check: load, infer, close, abandon to GC, and error paths, many times.
 * Run by test/leak/run.sh under LeakSanitizer, which reports at process exit.
 */
import { Model, ProtonError } from '../../ts/index';
import { DEMO_MODELS_DIR, ensureDemoModels } from '../../ts/onnx/demo-models';

const rounds = Number(process.argv[2] ?? 100);

async function main(): Promise<void> {
  const models = await ensureDemoModels(DEMO_MODELS_DIR);
  const data = new Float32Array(16).fill(1);
  const addInputs = { a: { type: 'float32' as const, dims: [1, 16], data }, b: { type: 'float32' as const, dims: [1, 16], data } };
  const gc = (globalThis as { gc?: () => void }).gc;
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
    const controller = new AbortController();
    work.push(add.infer(addInputs, { signal: controller.signal }).catch(() => undefined));
    controller.abort();
    await Promise.all(work);
    await add.close();
    if (round % 2 === 0) await mlp.close(); // odd rounds: left to the garbage collector
    if (gc && round % 10 === 0) gc();
  }
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  console.log(`leak-check workload: ${rounds} rounds done`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
