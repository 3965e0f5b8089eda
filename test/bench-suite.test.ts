import { describe, expect, it } from 'vitest';
import type { LatencySummary } from '../ts/client/latency-stats';
import { cellPlan, plannedLevels, type PlanSettings } from '../bench/suite/cell-plan';
import type { CellResult } from '../bench/suite/cell-result';
import { chartSpec } from '../bench/suite/chart';
import { compareCells } from '../bench/suite/comparison';
import { comparisonTable, refusedTable } from '../bench/suite/comparison-table';
import { formatLatency, formatRatio, formatThroughput } from '../bench/common/format';
import { markdownTable } from '../bench/common/markdown';
import { targetsTable } from '../bench/common/targets';
import { h2loadMeasurement, h2loadShape, parseH2loadCounts, parseH2loadLog } from '../bench/suite/h2load-load';
import { nativeTool } from '../bench/suite/measure-server';
import { originalTable, originalTableRows } from '../bench/suite/original-table';
import { topSelfTime, type CpuProfile } from '../bench/suite/profile-summary';
import { evaluateTargets, loadGeneratorNotes } from '../bench/suite/targets';
import type { ClientId, ServerId } from '../bench/suite/variants';
import { cellTimeLimitMs, withWatchdog } from '../bench/suite/watchdog';
import { wrkMeasurement } from '../bench/suite/wrk-load';

function latency(p50: number): LatencySummary {
  return { count: 10, min: p50 / 2, max: p50 * 3, mean: p50, median: p50, p95: p50 * 2, p99: p50 * 2.5 };
}

function cell(server: ServerId, client: ClientId, model: string, concurrency: number, throughput: number, serverCpuUsPerRequest?: number): CellResult {
  return {
    serverCpuUsPerRequest,
    server,
    client,
    model,
    concurrency,
    plan: { kind: 'duration', warmupSec: 0.5, durationSec: 2.5 },
    generator: server === 'ort-ceiling' ? 'in-process' : 'clients',
    requests: Math.round(throughput * 2.5),
    errors: 0,
    elapsedMs: 2500,
    throughput,
    latency: latency(1000 / throughput),
    errorKinds: [],
  };
}

/** A small run: the add model at c=64 and SqueezeNet at c=10, with every baseline. */
function sampleCells(): CellResult[] {
  return [
    cell('ort-ceiling', 'in-process', 'add', 64, 60_000),
    cell('http-ceiling', 'rest-binary', 'add', 64, 16_000, 10),
    cell('grpc-ceiling', 'grpc', 'add', 64, 20_000, 40),
    cell('proton', 'rest-binary', 'add', 64, 9_000, 20),
    cell('proton', 'grpc', 'add', 64, 17_000, 50),
    cell('js-worker', 'rest-binary', 'add', 64, 4_000, 30),
    cell('node-http', 'rest-json', 'add', 64, 3_000),
    cell('js-worker', 'rest-json', 'add', 64, 2_000),
    cell('ort-ceiling', 'in-process', 'squeezenet', 10, 80),
    cell('proton', 'rest-binary', 'squeezenet', 10, 78),
    cell('proton', 'grpc', 'squeezenet', 10, 70),
    cell('ort-ceiling', 'in-process', 'maskrcnn', 1, 0.15),
    cell('proton', 'grpc', 'maskrcnn', 10, 0.12),
  ];
}

describe('compareCells', () => {
  const rows = compareCells(sampleCells());
  const row = (server: ServerId, client: ClientId, model: string, concurrency: number) =>
    rows.find((r) => r.server === server && r.client === client && r.model === model && r.concurrency === concurrency)!;

  it('divides by the JS worker path, the ORT ceiling and the protocol ceiling of the same model, client and concurrency', () => {
    const proton = row('proton', 'rest-binary', 'add', 64);
    expect(proton.vsJsWorker).toBeCloseTo(9_000 / 4_000, 12);
    expect(proton.vsOrtCeiling).toBeCloseTo(9_000 / 60_000, 12);
    expect(proton.vsProtocolCeiling).toBeCloseTo(9_000 / 16_000, 12);
    expect(row('proton', 'grpc', 'add', 64).vsProtocolCeiling).toBeCloseTo(17_000 / 20_000, 12);
    expect(row('node-http', 'rest-json', 'add', 64).vsJsWorker).toBeCloseTo(1.5, 12);
  });

  it('leaves ratios empty where there is no baseline, and for the ceilings themselves', () => {
    expect(row('node-http', 'rest-json', 'add', 64).vsProtocolCeiling).toBeUndefined(); // no JSON ceiling measured
    expect(row('proton', 'grpc', 'squeezenet', 10).vsProtocolCeiling).toBeUndefined(); // no gRPC ceiling on SqueezeNet
    expect(row('ort-ceiling', 'in-process', 'add', 64)).toMatchObject({ vsJsWorker: undefined, vsOrtCeiling: undefined, vsProtocolCeiling: undefined });
  });

  it("falls back on the ceiling's best level when the row's concurrency was not measured", () => {
    const maskrcnn = row('proton', 'grpc', 'maskrcnn', 10);
    expect(maskrcnn.vsOrtCeiling).toBeCloseTo(0.8, 12);
    expect(maskrcnn.ortCeilingConcurrency).toBe(1);
    expect(comparisonTable([maskrcnn])).toContain('0.80x (c=1)');
  });

  it('orders rows by model, concurrency, then variant', () => {
    expect(rows.map((r) => `${r.model}/${r.concurrency}/${r.server}/${r.client}`).slice(0, 4)).toEqual([
      'add/64/ort-ceiling/in-process',
      'add/64/http-ceiling/rest-binary',
      'add/64/grpc-ceiling/grpc',
      'add/64/proton/rest-binary',
    ]);
    expect(rows[rows.length - 1]!.model).toBe('maskrcnn');
  });
});

describe('evaluateTargets', () => {
  it("checks issue 13's targets against the same run's cells, CPU per request as an upper bound", () => {
    const targets = evaluateTargets(compareCells(sampleCells()));
    expect(targets.map((t) => t.status)).toEqual(['missed', 'met', 'missed', 'met', 'met', 'missed', 'met']);
    expect(targets.map((t) => t.value)).toEqual([
      9_000 / 16_000, // REST binary vs HTTP ceiling, ≥ 0.75
      9_000 / 4_000, // vs the JS worker path, ≥ 1.4
      20 / 10, // server CPU per request vs the ceiling's, ≤ 1.6
      17_000 / 20_000, // gRPC vs the grpc-js ceiling, ≥ 0.8
      78 / 80, // SqueezeNet REST binary vs the raw ORT loop, ≥ 0.95
      70 / 80, // SqueezeNet gRPC vs the raw ORT loop
      78 / 70, // REST binary vs gRPC, ≥ 0.9
    ]);
    expect(targets[2]!.direction).toBe('at-most');
    expect(targets[2]!.measured).toBe('Proton REST binary 20.0 µs vs HTTP ceiling (binary body) 10.0 µs of server CPU per request');
    expect(targets[0]!.measured).toContain('(load: node clients)');
    expect(targetsTable(targets)).toContain('**missed**');
    expect(targetsTable(targets)).toContain('≤ 1.6x');
  });

  it('notes cells that kept up with their protocol ceiling under the node clients (gRPC at 0.85x does not)', () => {
    const cells = sampleCells().map((c) => (c.server === 'proton' && c.client === 'rest-binary' && c.model === 'add' ? { ...c, throughput: 15_000 } : c));
    const notes = loadGeneratorNotes(compareCells(cells));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('proton rest-binary add c=64');
  });

  it('says "not measured" when a side is missing', () => {
    const targets = evaluateTargets(compareCells(sampleCells().filter((c) => c.server !== 'js-worker')));
    expect(targets[1]).toMatchObject({ status: 'not measured', value: undefined });
    expect(targets[1]!.measured).toContain('JS worker path REST binary not measured at concurrency 64');
  });
});

describe('load generators', () => {
  it('drives the small models and SqueezeNet with wrk (REST) and h2load (gRPC) under --load native, the rest with the clients', () => {
    expect(nativeTool({ server: 'proton', client: 'rest-binary' }, 'add', 'native')).toBe('wrk');
    expect(nativeTool({ server: 'proton', client: 'rest-json' }, 'mlp', 'native')).toBe('wrk');
    expect(nativeTool({ server: 'grpc-ceiling', client: 'grpc' }, 'add', 'native')).toBe('h2load');
    expect(nativeTool({ server: 'proton', client: 'grpc' }, 'squeezenet', 'native')).toBe('h2load');
    expect(nativeTool({ server: 'proton', client: 'grpc' }, 'maskrcnn', 'native')).toBeUndefined();
    expect(nativeTool({ server: 'ort-ceiling', client: 'in-process' }, 'squeezenet', 'native')).toBeUndefined();
    expect(nativeTool({ server: 'proton', client: 'grpc' }, 'add', 'clients')).toBeUndefined();
  });

  it('lists refused cells with the reason', () => {
    const table = refusedTable([{ server: 'proton', client: 'grpc', model: 'add', concurrency: 64, reason: 'h2load is not installed' }]);
    expect(table).toContain('| add   |    64 | Proton | gRPC   | h2load is not installed |');
    expect(refusedTable([])).toBe('');
  });

  it("reads h2load's summary and per-request log", () => {
    // As h2load 1.52 prints it (abridged to the lines the suite reads).
    const stdout =
      'finished in 2.00s, 10.50 req/s, 1.20KB/s\n' +
      'requests: 23 total, 24 started, 22 done, 21 succeeded, 1 failed, 1 errored, 0 timeout\n' +
      'status codes: 21 2xx, 0 3xx, 0 4xx, 1 5xx\n';
    const counts = parseH2loadCounts(stdout);
    expect(counts).toEqual({ total: 23, started: 24, done: 22, succeeded: 21, failed: 1, errored: 1, timeout: 0 });
    const log = parseH2loadLog('1700000000000000\t200\t1000\n1700000000000100\t200\t3000\n1700000000000200\t503\t500\n');
    expect(log).toEqual({ latenciesMs: [1, 3], nonSuccess: 1 });
    const measured = h2loadMeasurement(counts, log, 2);
    expect(measured).toMatchObject({ requests: 22, errors: 2, elapsedMs: 2000, throughput: 1 });
    expect(measured.latency).toMatchObject({ count: 2, median: 2, min: 1, max: 3 });
    expect(() => parseH2loadCounts('connect error')).toThrow('h2load printed no request counts');
  });

  it('spreads the calls in flight over at most the given connections', () => {
    expect(h2loadShape(64, 4)).toEqual({ clients: 4, streams: 16 });
    expect(h2loadShape(1, 4)).toEqual({ clients: 1, streams: 1 });
    expect(h2loadShape(10, 4)).toEqual({ clients: 4, streams: 3 });
  });
});

describe('markdown', () => {
  it('pads columns and aligns numbers right', () => {
    expect(markdownTable(['Name', 'Value'], [['a', '1'], ['long name', '12345']], ['left', 'right'])).toBe(
      '| Name      | Value |\n' + '|-----------|------:|\n' + '| a         |     1 |\n' + '| long name | 12345 |\n',
    );
  });

  it('formats throughput, latency and ratios by magnitude', () => {
    expect([formatThroughput(12345.6), formatThroughput(78.456), formatThroughput(0.1234)]).toEqual(['12346', '78.5', '0.123']);
    expect([formatLatency(0.0213), formatLatency(7.456), formatLatency(156.4), formatLatency(65_432)]).toEqual([
      '0.021 ms',
      '7.46 ms',
      '156 ms',
      '65.4 s',
    ]);
    expect([formatRatio(0.9751), formatRatio(undefined), formatLatency(Number.NaN)]).toEqual(['0.98x', '-', '-']);
  });
});

describe('originalTable', () => {
  it("takes Proton's concurrency-10 cells of SqueezeNet and Mask R-CNN, REST first", () => {
    const rows = originalTableRows(sampleCells());
    expect(rows.map((r) => `${r.clientType} ${r.model}`)).toEqual(['REST (V2 binary) squeezenet', 'gRPC (V2 raw) squeezenet', 'gRPC (V2 raw) maskrcnn']);
    expect(rows[0]).toMatchObject({ totalMs: 2500, throughput: 78, requests: 195, errors: 0 });
    expect(originalTable(sampleCells())).toMatch(/^\| Client Type +\| Model +\| Total Time \| Average Time \| Median Time \| +p95 Time \| +p99 Time \|/);
    expect(originalTable([])).toContain('not measured');
  });
});

describe('cellPlan', () => {
  const settings: PlanSettings = {
    durationSec: 2.5,
    warmupSec: 0.5,
    concurrency: [1, 10, 64],
    maskrcnnConcurrency: [1, 10],
    maskrcnnRequests: 2,
    maskrcnnAll: false,
  };

  it('time-boxes the fast models at every level', () => {
    expect(plannedLevels(settings, { server: 'node-http', client: 'rest-binary' }, 'squeezenet')).toEqual([1, 10, 64]);
    expect(cellPlan(settings, { server: 'proton', client: 'grpc' }, 'add', 64)).toEqual({ kind: 'duration', warmupSec: 0.5, durationSec: 2.5 });
  });

  it('sends Mask R-CNN a fixed count, at least one per slot, with the default selection of clients', () => {
    expect(cellPlan(settings, { server: 'proton', client: 'grpc' }, 'maskrcnn', 1)).toEqual({ kind: 'requests', count: 2 });
    expect(cellPlan(settings, { server: 'proton', client: 'grpc' }, 'maskrcnn', 10)).toEqual({ kind: 'requests', count: 10 });
    expect(plannedLevels(settings, { server: 'proton', client: 'rest-json' }, 'maskrcnn')).toEqual([1]);
    expect(plannedLevels(settings, { server: 'js-worker', client: 'grpc' }, 'maskrcnn')).toEqual([]);
    expect(plannedLevels({ ...settings, maskrcnnAll: true }, { server: 'js-worker', client: 'grpc' }, 'maskrcnn')).toEqual([1, 10]);
    // Without inference a Mask R-CNN request is only a big body: time-boxed.
    expect(cellPlan(settings, { server: 'http-ceiling', client: 'rest-binary' }, 'maskrcnn', 10)?.kind).toBe('duration');
  });
});

describe('topSelfTime', () => {
  it("charges the time until the next sample to each sample's frame, merging frames by function and line", () => {
    const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber, scriptId: '0', columnNumber: 0 });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '', -1) },
        { id: 2, callFrame: frame('parse', 'file:///app/codec.js', 9) },
        { id: 3, callFrame: frame('parse', 'file:///app/codec.js', 9) }, // same function reached by another path
        { id: 4, callFrame: frame('(idle)', '', -1) },
      ],
      samples: [2, 3, 4, 2],
      timeDeltas: [0, 1000, 3000, 2000],
    };
    // Sample i lasts timeDeltas[i + 1]: parse 1 + 3 ms (two paths), idle 2 ms, the last sample 0.
    const top = topSelfTime(profile, 2);
    expect(top[0]).toMatchObject({ function: 'parse', location: 'codec.js:10', selfMs: 4 });
    expect(top[0]!.percent).toBeCloseTo(200 / 3, 12);
    expect(top[1]).toMatchObject({ function: '(idle)', location: '', selfMs: 2 });
  });
});

describe('chartSpec', () => {
  it('draws one bar per cell and metric on log scales, leaving out values a log scale cannot show', () => {
    const rows = compareCells([...sampleCells(), { ...cell('node-http', 'rest-binary', 'add', 64, 0), latency: latency(Number.NaN) }]);
    const spec = chartSpec(rows, 'test machine');
    const bars = (spec.data![0] as { values: Array<{ value: number }> }).values;
    expect(bars).toHaveLength(2 * (rows.length - 1));
    expect(bars.every((bar) => bar.value > 0)).toBe(true);
    const panel = spec.marks![0] as { scales: Array<{ name: string; type: string }> };
    expect(panel.scales.find((scale) => scale.name === 'y')!.type).toBe('log');
  });
});

describe('wrkMeasurement', () => {
  it("turns wrk's counters and µs latencies into a measurement in ms, non-2xx and socket errors counted as errors", () => {
    const measured = wrkMeasurement({
      requests: 1000,
      durationUs: 2_000_000,
      connect: 0,
      read: 1,
      write: 0,
      status: 10,
      timeout: 2,
      mean: 1500,
      min: 200,
      max: 9000,
      p50: 1400,
      p95: 3000,
      p99: 5000,
    });
    expect(measured).toMatchObject({ requests: 1000, errors: 13, elapsedMs: 2000, throughput: 495 });
    expect(measured.latency).toEqual({ count: 990, min: 0.2, max: 9, mean: 1.5, median: 1.4, p95: 3, p99: 5 });
    expect(measured.errorKinds.map((kind) => `${kind.key}: ${kind.count}`)).toEqual(['HTTP non-2xx: 10', 'wrk timeout: 2', 'wrk socket read: 1']);
  });
});

describe('watchdog', () => {
  it('allows a cell its planned time plus slack, Mask R-CNN a minute per request', () => {
    expect(cellTimeLimitMs({ kind: 'duration', warmupSec: 0.5, durationSec: 2.5 })).toBe(63_000);
    expect(cellTimeLimitMs({ kind: 'requests', count: 10 })).toBe(660_000);
  });

  it('calls onExpire once when the work outlives its limit, and reports it', async () => {
    let settle: (value: string) => void = () => undefined;
    const hung = new Promise<string>((resolve) => {
      settle = resolve;
    });
    let expirations = 0;
    const result = await withWatchdog(hung, 5, () => {
      expirations++;
      settle('killed');
    });
    expect(result).toEqual({ value: 'killed', expired: true });
    expect(expirations).toBe(1);
    expect(await withWatchdog(Promise.resolve(1), 60_000, () => expirations++)).toEqual({ value: 1, expired: false });
    expect(expirations).toBe(1);
  });
});

describe('watchdog rejections', () => {
  it('says "presumed hung" when the work fails only because it was stopped', async () => {
    let fail: (error: Error) => void = () => undefined;
    const hung = new Promise<never>((_, reject) => {
      fail = reject;
    });
    await expect(withWatchdog(hung, 5, () => fail(new Error('socket hang up')))).rejects.toThrow(
      'no result within 0.005 s: presumed hung and stopped (then: socket hang up)',
    );
    await expect(withWatchdog(Promise.reject(new Error('refused')), 60_000, () => undefined)).rejects.toThrow(/^refused$/);
  });
});
