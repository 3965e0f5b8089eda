import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ownedTensors, transferList } from '../bench/baselines/worker-messages';
import { WorkerSession } from '../bench/baselines/worker-session';
import { grpcFrame, inferenceService, modelInferBody } from '../bench/common/inference-proto';
import { inProcessModel } from '../bench/common/models';
import { clockTicksPerSecond, parseProcStat, processCpuMs } from '../bench/common/process-cpu';
import { median, summarizeCalls } from '../bench/common/stats';
import { checkTarget, targetsTable } from '../bench/common/targets';
import type { Tensor } from '../ts/protocol/tensor';

describe('statistics', () => {
  it('takes the median and percentiles by linear interpolation between closest ranks', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5); // mean of the middle two
    expect(median([])).toBeNaN();
    // 10 samples 1..10 (shuffled): p99 at rank 9 * 0.99 = 8.91 → 9 + 0.91 * (10 - 9) = 9.91.
    const calls = summarizeCalls([3, 1, 4, 10, 5, 9, 2, 6, 8, 7], 20, 50);
    expect(calls.calls).toBe(10);
    expect(calls.meanUs).toBeCloseTo(5500, 9);
    expect(calls.p50Us).toBeCloseTo(5500, 9);
    expect(calls.p99Us).toBeCloseTo(9910, 9);
    expect(calls.callsPerSecond).toBeCloseTo(500, 9); // 10 calls in 20 ms
    expect(calls.cpuUsPerCall).toBeCloseTo(5000, 9); // 50 ms of CPU over 10 calls
    expect(summarizeCalls([1], 1).cpuUsPerCall).toBeNaN();
  });
});

describe('server CPU time from /proc/PID/stat', () => {
  it('reads utime and stime after the command name, even one with spaces and parentheses', () => {
    // Fields 3.. of a real line, behind a hostile comm: utime (14) = 1234, stime (15) = 56.
    const rest = 'S 1 1 1 0 -1 4194304 100 0 0 0 1234 56 0 0 20 0 7 0 100 1000000 200';
    expect(parseProcStat(`4242 (node (my) server) ${rest}`)).toEqual({ utimeTicks: 1234, stimeTicks: 56 });
    expect(() => parseProcStat('garbage')).toThrow('not a /proc/PID/stat line');
  });

  it('agrees with process.cpuUsage() on this process, within a few clock ticks', () => {
    const fromNode = (): number => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1000;
    };
    const procBefore = processCpuMs(process.pid);
    const nodeBefore = fromNode();
    // Burn CPU until Node counts 300 ms of it (a CPU-time bound, not a wall-clock one).
    let sink = 0;
    while (fromNode() - nodeBefore < 300) for (let i = 0; i < 1e5; i++) sink += Math.sqrt(i);
    expect(sink).toBeGreaterThan(0);
    const procSpent = processCpuMs(process.pid) - procBefore;
    const nodeSpent = fromNode() - nodeBefore;
    const tickMs = 1000 / clockTicksPerSecond();
    expect(Math.abs(procSpent - nodeSpent)).toBeLessThanOrEqual(3 * tickMs);
    // The same file, read directly: the total is the sum of the two fields.
    const { utimeTicks, stimeTicks } = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    expect(((utimeTicks + stimeTicks) * 1000) / clockTicksPerSecond()).toBeGreaterThanOrEqual(procBefore);
  });
});

describe('targets', () => {
  it('meets an at-least target from the threshold up and an at-most target up to it', () => {
    expect(checkTarget('t', 0.75, 0.75, 'at-least', '').status).toBe('met');
    expect(checkTarget('t', 0.74, 0.75, 'at-least', '').status).toBe('missed');
    expect(checkTarget('t', 1.6, 1.6, 'at-most', '').status).toBe('met');
    expect(checkTarget('t', 1.61, 1.6, 'at-most', '').status).toBe('missed');
    expect(checkTarget('t', Number.NaN, 1, 'at-least', 'x').status).toBe('not measured');
    expect(targetsTable([checkTarget('within 1.5x', 0.5, 1 / 1.5, 'at-least', 'a vs b')])).toContain('| 0.50x | ≥ 0.67x | **missed** |');
  });
});

describe('h2load request body', () => {
  it('frames a serialized ModelInferRequest behind the 5-byte gRPC prefix', async () => {
    expect([...grpcFrame(new Uint8Array([7, 8, 9]))]).toEqual([0, 0, 0, 0, 3, 7, 8, 9]);
    const a = new Float32Array([1, 2, 3, 4]);
    const body = modelInferBody('add', [{ name: 'a', type: 'float32', dims: [1, 4], data: a }]);
    expect(body.readUInt8(0)).toBe(0);
    expect(body.readUInt32BE(1)).toBe(body.byteLength - 5);
    const decoded = inferenceService().ModelInfer!.requestDeserialize(body.subarray(5)) as {
      model_name: string;
      inputs: Array<{ name: string; datatype: string; shape: string[] }>;
      raw_input_contents: Buffer[];
    };
    expect(decoded.model_name).toBe('add');
    expect(decoded.inputs[0]).toMatchObject({ name: 'a', datatype: 'FP32', shape: ['1', '4'] });
    const raw = decoded.raw_input_contents[0]!;
    expect(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer)).toEqual(a);
  });
});

describe('the lean JS worker baseline', () => {
  it('moves owned buffers and copies views into larger buffers once', () => {
    const owned: Tensor = { type: 'float32', dims: [2], data: new Float32Array([1, 2]) };
    const backing = new Float32Array([0, 1, 2, 3]);
    const view: Tensor = { type: 'float32', dims: [2], data: backing.subarray(1, 3) };
    expect(transferList({ owned, view })).toEqual([(owned.data as Float32Array).buffer]);
    const prepared = ownedTensors({ owned, view });
    expect(prepared.owned).toBe(owned);
    expect(prepared.view!.data).toEqual(new Float32Array([1, 2]));
    expect(transferList(prepared)).toHaveLength(2);
  });

  it('answers a + b from onnxruntime-node in a worker, moving the inputs there and back', async () => {
    const add = await inProcessModel('add');
    const session = await WorkerSession.start(add.file, 1);
    try {
      const a = add.inputs.a!.data.slice();
      const b = add.inputs.b!.data.slice();
      const { outputs, inputs } = await session.run({
        a: { type: 'float32', dims: [1, 16], data: a },
        b: { type: 'float32', dims: [1, 16], data: b },
      });
      expect(a.byteLength).toBe(0); // moved, not copied
      expect(inputs.a!.data).toEqual(add.inputs.a!.data); // handed back intact
      const expected = add.inputs.a!.data.map((value, i) => value + add.inputs.b!.data[i]!);
      expect(outputs.sum).toMatchObject({ type: 'float32', dims: [1, 16] });
      expect(outputs.sum!.data).toEqual(expected);
    } finally {
      await session.close();
    }
  });
});
