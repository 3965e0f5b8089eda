import { describe, expect, it } from 'vitest';
import { renderReport } from '../ts/client/client-report';
import type { ClientReport } from '../ts/client/client-run';
import type { LoadResult, RequestSample } from '../ts/client/load-runner';
import { formatErrors, formatMs, formatResultTable, formatSeconds, resultRows } from '../ts/client/result-table';

function sample(group: string, startMs: number, latencyMs: number, ok = true): RequestSample {
  return { index: 0, group, startMs, latencyMs, ok };
}

/** A run of two models: squeezenet with two successes and a failure, mlp with one success. */
function mixedLoad(): LoadResult {
  const samples = [
    sample('squeezenet', 0, 10),
    sample('squeezenet', 5, 20),
    sample('mlp', 1, 4),
    sample('squeezenet', 30, 2, false),
  ];
  return {
    samples,
    requests: 4,
    succeeded: 3,
    failed: 1,
    elapsedMs: 32,
    throughput: 3000 / 32,
    errors: [{ key: 'HTTP 503', count: 1, message: "model 'squeezenet' queue is full" }],
  };
}

describe('resultRows', () => {
  it('makes one row per model, plus an "all" row for a mix', () => {
    const rows = resultRows('REST (V2 binary)', mixedLoad());
    expect(rows.map((row) => row.model)).toEqual(['mlp', 'squeezenet', 'all']);
    const squeezenet = rows[1]!;
    // From the first send (0 ms) to the last answer (30 + 2 ms); latencies of successes only.
    expect(squeezenet.totalMs).toBe(32);
    expect(squeezenet.latency).toMatchObject({ count: 2, mean: 15, median: 15 });
    expect(squeezenet.latency.p95).toBeCloseTo(19.5, 12); // h = 0.95: 10 + 0.95 * 10
    expect(squeezenet.latency.p99).toBeCloseTo(19.9, 12);
    expect(squeezenet).toMatchObject({ requests: 3, errors: 1, throughput: 2000 / 32 });
    expect(rows[2]).toMatchObject({ requests: 4, errors: 1, totalMs: 32, throughput: 3000 / 32 });
    expect(rows[2]!.latency.count).toBe(3);
  });

  it('makes a single row for a single model', () => {
    const load = mixedLoad();
    load.samples = load.samples.filter((entry) => entry.group === 'mlp');
    expect(resultRows('gRPC (V2 raw)', load).map((row) => row.model)).toEqual(['mlp']);
  });
});

describe('formatResultTable', () => {
  it('prints the original columns plus requests, errors and throughput, aligned', () => {
    const table = formatResultTable([
      {
        clientType: 'REST (V2 binary)',
        model: 'squeezenet',
        totalMs: 12_345.6,
        latency: { count: 999, min: 1, max: 900, mean: 123.456, median: 100, p95: 300.5, p99: 899.999 },
        requests: 1000,
        errors: 1,
        throughput: 80.9223,
      },
      {
        clientType: 'gRPC (V2 raw)',
        model: 'mlp',
        totalMs: 50,
        latency: { count: 10, min: 0.2, max: 1, mean: 0.5, median: 0.45, p95: 0.9, p99: 1 },
        requests: 10,
        errors: 0,
        throughput: 200,
      },
    ]);
    expect(table).toBe(
      [
        '| Client Type      | Model      | Total Time | Average Time | Median Time |  p95 Time |  p99 Time | Requests | Errors |  Throughput |',
        '|------------------|------------|-----------:|-------------:|------------:|----------:|----------:|---------:|-------:|------------:|',
        '| REST (V2 binary) | squeezenet |   12.346 s |    123.46 ms |   100.00 ms | 300.50 ms | 900.00 ms |     1000 |      1 |  80.9 req/s |',
        '| gRPC (V2 raw)    | mlp        |    0.050 s |      0.50 ms |     0.45 ms |   0.90 ms |   1.00 ms |       10 |      0 | 200.0 req/s |',
        '',
      ].join('\n'),
    );
  });

  it('shows "-" for the statistics of a model without successes', () => {
    const [row] = resultRows('REST (V2 JSON)', { ...mixedLoad(), samples: [sample('add', 0, 3, false)] });
    const line = formatResultTable([row!]).split('\n')[2]!;
    const cells = line.split('|').map((cell) => cell.trim());
    expect(cells).toEqual(['', 'REST (V2 JSON)', 'add', '0.003 s', '-', '-', '-', '-', '1', '1', '0.0 req/s', '']);
  });
});

describe('formatting helpers', () => {
  it('formats milliseconds and seconds', () => {
    expect(formatMs(1.005)).toBe('1.00 ms');
    expect(formatMs(Number.NaN)).toBe('-');
    expect(formatSeconds(1234.5)).toBe('1.234 s');
  });

  it('lists every error group with its count, key and first message', () => {
    const errors = [
      { key: 'gRPC UNAVAILABLE', count: 3, message: 'queue full' },
      { key: 'network ECONNRESET', count: 1, message: 'socket hang up' },
    ];
    expect(formatErrors(errors)).toBe('3 × gRPC UNAVAILABLE: queue full\n1 × network ECONNRESET: socket hang up\n');
    expect(formatErrors([])).toBe('');
  });
});

describe('renderReport', () => {
  it('prints the table, the throughput line and the errors', () => {
    const report: ClientReport = {
      clientType: 'REST (V2 binary)',
      models: ['squeezenet', 'mlp'],
      concurrency: 10,
      seed: 1,
      checks: [],
      load: mixedLoad(),
    };
    const text = renderReport(report);
    expect(text).toContain('| REST (V2 binary) | all        |');
    expect(text).toContain('Throughput: 93.8 requests/s (3 succeeded, 1 failed, concurrency 10, 0.032 s)');
    expect(text).toContain("Errors:\n1 × HTTP 503: model 'squeezenet' queue is full\n");
  });
});
