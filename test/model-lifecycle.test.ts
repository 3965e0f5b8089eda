import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { CancelFlag, Model, ProtonError, type Tensor } from '../ts/index';
import { demoModels } from './helpers/models';

let addPath: string;
beforeAll(async () => {
  addPath = (await demoModels()).add;
});

function addInputs(value: number): Record<string, Tensor> {
  const data = new Float32Array(16).fill(value);
  return { a: { type: 'float32', dims: [1, 16], data }, b: { type: 'float32', dims: [1, 16], data } };
}

async function errorOf(promise: Promise<unknown>): Promise<ProtonError> {
  const error = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProtonError);
  return error as ProtonError;
}

describe('close', () => {
  it('finishes every accepted request, then resolves; later calls are safe', async () => {
    // Room for all 2000: they are queued synchronously, faster than the worker drains them.
    const model = await Model.load(addPath, { queueCapacity: 4096 });
    const pending = Array.from({ length: 2000 }, (_, i) => model.infer(addInputs(i)));
    const closed = model.close();
    expect(model.ready).toBe(false);
    const outputs = await Promise.all(pending);
    outputs.forEach((out, i) => expect((out.sum!.data as Float32Array)[0]).toBe(2 * i));
    await closed;
    await model.close();
    expect(model.stats().pending).toBe(0);
  });

  it('rejects inference after close with UNAVAILABLE', async () => {
    const model = await Model.load(addPath);
    await model.close();
    const error = await errorOf(model.infer(addInputs(1)));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(/the model is closed/);
  });
});

describe('queue capacity', () => {
  it('rejects at once with RESOURCE_EXHAUSTED when the queue is full, and recovers', async () => {
    // The hold keeps the worker from taking jobs, so the queue fills deterministically.
    const model = await Model.load(addPath, { queueCapacity: 4, holdUntilQueued: 5 });
    const accepted = Array.from({ length: 4 }, (_, i) => model.infer(addInputs(i)));
    const error = await errorOf(model.infer(addInputs(99)));
    expect(error.code).toBe('RESOURCE_EXHAUSTED');
    expect(error.message).toMatch(/queue is full \(4 requests\)/);
    // Closing lifts the hold: the accepted requests still complete with their own answers.
    const closed = model.close();
    const outputs = await Promise.all(accepted);
    outputs.forEach((out, i) => expect((out.sum!.data as Float32Array)[3]).toBe(2 * i));
    await closed;
  });
});

describe('timeouts and cancellation', () => {
  it('rejects a request that waited in the queue past its timeout, without running it', async () => {
    const model = await Model.load(addPath, { holdUntilQueued: 3 });
    const timedOut = model.infer(addInputs(1), { timeoutMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = model.infer(addInputs(2));
    const third = model.infer(addInputs(3), { timeoutMs: 60_000 });
    const error = await errorOf(timedOut);
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(/timed out in queue/);
    expect(((await second).sum!.data as Float32Array)[0]).toBe(4);
    expect(((await third).sum!.data as Float32Array)[0]).toBe(6);
    expect(model.stats().executions).toBe(2);
    await model.close();
  });

  it('drops a queued request whose signal aborts, and rejects one aborted before the call', async () => {
    const model = await Model.load(addPath, { holdUntilQueued: 2 });
    const controller = new AbortController();
    const cancelled = model.infer(addInputs(1), { signal: controller.signal });
    controller.abort();
    const kept = model.infer(addInputs(2), { signal: new AbortController().signal });
    expect((await errorOf(cancelled)).code).toBe('CANCELLED');
    expect(((await kept).sum!.data as Float32Array)[0]).toBe(4);
    const early = await errorOf(model.infer(addInputs(3), { signal: controller.signal }));
    expect(early.code).toBe('CANCELLED');
    expect(model.stats().executions).toBe(1);
    await model.close();
  });

  it('drops a queued request whose CancelFlag is set, and rejects one set before the call', async () => {
    const model = await Model.load(addPath, { holdUntilQueued: 2 });
    const flag = new CancelFlag();
    const cancelled = model.infer(addInputs(1), { cancel: flag });
    flag.cancel();
    expect(flag.cancelled).toBe(true);
    const kept = model.infer(addInputs(2), { cancel: new CancelFlag() });
    expect((await errorOf(cancelled)).code).toBe('CANCELLED');
    expect(((await kept).sum!.data as Float32Array)[0]).toBe(4);
    const early = await errorOf(model.infer(addInputs(3), { cancel: flag }));
    expect(early.code).toBe('CANCELLED');
    expect(early.message).toMatch(/before it was queued/);
    expect(model.stats().executions).toBe(1);
    await model.close();
  });

  it('a CancelFlag given with a signal is set when the signal aborts', async () => {
    const model = await Model.load(addPath, { holdUntilQueued: 2 });
    const controller = new AbortController();
    const flag = new CancelFlag();
    const cancelled = model.infer(addInputs(1), { signal: controller.signal, cancel: flag });
    controller.abort();
    expect(flag.cancelled).toBe(true);
    const kept = model.infer(addInputs(2));
    expect((await errorOf(cancelled)).code).toBe('CANCELLED');
    expect(((await kept).sum!.data as Float32Array)[0]).toBe(4);
    expect(model.stats().executions).toBe(1);
    await model.close();
  });
});

describe('process lifetime', () => {
  const fixture = path.join(__dirname, 'fixtures', 'exit-scenarios.ts');
  function run(scenario: string, extraNodeArgs: string[] = []) {
    return spawnSync(process.execPath, [...extraNodeArgs, '--import', 'tsx', fixture, scenario, addPath], {
      encoding: 'utf8',
      timeout: 60_000,
    });
  }

  it('an idle loaded model does not keep the process alive', () => {
    const result = run('idle-model-does-not-hold-the-process');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('loaded');
  });

  it('pending requests keep the process alive until they settle', () => {
    const result = run('pending-work-keeps-the-process-alive');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('all settled');
  });

  it('process.exit with thousands of jobs in flight exits cleanly', () => {
    const result = run('exit-mid-flight');
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
  });

  it('survives load/infer/close and garbage-collected unclosed models', () => {
    const result = run('gc-cycles', ['--expose-gc']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('cycles done');
  });
});
