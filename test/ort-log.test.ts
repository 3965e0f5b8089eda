import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { Model } from '../ts/index';
import { native, type OrtLogSeverity } from '../ts/native';
import { GraphBuilder } from '../ts/onnx/model-builder';
import { demoModels, writeModel } from './helpers/models';

interface Record {
  severity: OrtLogSeverity;
  category: string;
  logid: string;
  codeLocation: string;
  message: string;
}

// An initializer no node reads: ONNX Runtime warns that it removes it when the session loads.
const unusedInitializerPath = writeModel(
  'unused_initializer',
  new GraphBuilder('unused_initializer')
    .addInput('x', 'float32', [2])
    .addInitializer('unused', { type: 'float32', dims: [2], data: new Float32Array([1, 2]) })
    .addNode('Identity', ['x'], ['y'])
    .addOutput('y', 'float32', [2])
    .serialize(),
);

async function loadAndCollect(severity: OrtLogSeverity): Promise<Record[]> {
  const records: Record[] = [];
  native.setLogSeverity(severity);
  native.setLogSink((s, category, logid, codeLocation, message) => {
    records.push({ severity: s, category, logid, codeLocation, message });
  });
  const model = await Model.load(unusedInitializerPath);
  const outputs = await model.infer({ x: { type: 'float32', dims: [2], data: new Float32Array([3, 4]) } });
  expect(outputs.y!.data).toEqual(new Float32Array([3, 4]));
  await model.close();
  // Records logged on the model's thread arrive through a thread-safe call: let it run.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return records;
}

afterEach(() => {
  native.setLogSink(null);
  native.setLogSeverity(2);
});

describe('ONNX Runtime log routing', () => {
  it('delivers ONNX Runtime warnings to the sink with severity, category and message', async () => {
    const records = await loadAndCollect(2);
    const warning = records.find((r) => r.message.includes("'unused'"));
    expect(warning, JSON.stringify(records)).toBeDefined();
    expect(warning!.severity).toBe(2);
    expect(warning!.message).toMatch(/[Rr]emoving initializer/);
    expect(records.every((r) => r.severity >= 2)).toBe(true);
  });

  it('filters by the minimum severity', async () => {
    const quiet = await loadAndCollect(3);
    expect(quiet.filter((r) => r.message.includes("'unused'"))).toEqual([]);
    const verbose = await loadAndCollect(0);
    expect(verbose.some((r) => r.severity < 2)).toBe(true);
  });

  it('without a sink, records are dropped and counted, not printed', async () => {
    native.setLogSink(null);
    const before = native.droppedLogRecords();
    const model = await Model.load(unusedInitializerPath);
    await model.close();
    expect(native.droppedLogRecords()).toBeGreaterThan(before);
  });

  it.each(['natural', 'exit-mid-load'])('a set sink neither holds the process nor breaks its exit (%s)', (scenario) => {
    const fixture = path.join(__dirname, 'fixtures', 'ort-log-exit.ts');
    const result = spawnSync(process.execPath, ['--import', 'tsx', fixture, scenario, unusedInitializerPath], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    if (scenario === 'natural') expect(result.stdout).toContain('records delivered');
  });

  // process.exit() runs no addon cleanup: unless the addon joins its loader threads on 'exit',
  // exit() destroys ONNX Runtime's static objects under them (SIGSEGV in roughly one child in
  // four without the fix). 24 children make a miss unlikely (about 1 in 200).
  it('process.exit while 16 SqueezeNet loads run never crashes (24 processes)', async () => {
    const fixture = path.join(__dirname, 'fixtures', 'ort-log-exit.ts');
    const { 'squeezenet1.0': squeezenet } = await demoModels();
    const delays = [1, 20, 60, 100];
    const runOne = (delayMs: number) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', fixture, 'exit-mid-load', squeezenet, '16', String(delayMs)], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code, signal) => resolve({ code, signal, stderr }));
      });
    const results: Array<{ delayMs: number; code: number | null; signal: NodeJS.Signals | null; stderr: string }> = [];
    for (let round = 0; round < 8; round++) {
      // Three at a time: enough to finish in reasonable time on two cores.
      const batch = [0, 1, 2].map((k) => delays[(round * 3 + k) % delays.length]!);
      const outcomes = await Promise.all(batch.map(runOne));
      outcomes.forEach((outcome, k) => results.push({ delayMs: batch[k]!, ...outcome }));
    }
    const failures = results.filter((r) => r.code !== 0 || r.signal !== null || r.stderr !== '');
    expect(failures, JSON.stringify(failures)).toEqual([]);
    expect(results).toHaveLength(24);
  }, 180_000);
});
