import { describe, expect, it } from 'vitest';
import { runLoad, successfulLatencies } from '../ts/client/load-runner';
import { RequestError } from '../ts/client/request-error';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('runLoad', () => {
  it('sends exactly the requested count, each index once, never above the concurrency', async () => {
    const sent: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const result = await runLoad({
      concurrency: 4,
      requests: 37,
      send: async (index) => {
        sent.push(index);
        peak = Math.max(peak, ++inFlight);
        await tick();
        inFlight--;
      },
    });
    expect(sent.sort((a, b) => a - b)).toEqual(Array.from({ length: 37 }, (_, index) => index));
    expect(peak).toBe(4);
    expect(result).toMatchObject({ requests: 37, succeeded: 37, failed: 0, errors: [] });
    expect(result.samples).toHaveLength(37);
    expect(result.samples.every((sample) => sample.ok && sample.latencyMs >= 0 && sample.startMs >= 0)).toBe(true);
    expect(successfulLatencies(result)).toHaveLength(37);
  });

  it('counts every failure under its key and keeps the first message', async () => {
    const result = await runLoad({
      concurrency: 3,
      requests: 30,
      groupOf: (index) => (index % 2 === 0 ? 'even' : 'odd'),
      send: async (index) => {
        await tick();
        if (index % 3 === 0) throw new RequestError('HTTP 503', `queue full at ${index}`);
        if (index % 5 === 0) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      },
    });
    // Multiples of 3 in 0..29: 10; multiples of 5 that are not of 3 (5, 10, 20, 25): 4.
    expect(result.errors).toEqual([
      { key: 'HTTP 503', count: 10, message: 'queue full at 0' },
      { key: 'network ECONNRESET', count: 4, message: 'socket hang up' },
    ]);
    expect(result).toMatchObject({ requests: 30, succeeded: 16, failed: 14 });
    expect(result.samples.filter((sample) => !sample.ok)).toHaveLength(14);
    expect(result.samples.filter((sample) => sample.group === 'even')).toHaveLength(15);
    expect(successfulLatencies(result, 'odd')).toHaveLength(result.samples.filter((s) => s.group === 'odd' && s.ok).length);
  });

  it('counts a send that throws synchronously as a failed request', async () => {
    const result = await runLoad({
      concurrency: 2,
      requests: 4,
      send: () => {
        throw new TypeError('bad request');
      },
    });
    expect(result.errors).toEqual([{ key: 'TypeError', count: 4, message: 'bad request' }]);
  });

  it('reports progress once per settled request', async () => {
    const completed: number[] = [];
    await runLoad({ concurrency: 2, requests: 6, send: tick, onProgress: (progress) => completed.push(progress.completed) });
    expect(completed).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('stops issuing at the duration and lets requests in flight finish', async () => {
    let settled = 0;
    const result = await runLoad({
      concurrency: 3,
      durationSec: 0.05,
      send: async () => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        settled++;
      },
    });
    expect(result.requests).toBeGreaterThan(0);
    expect(result.requests).toBe(settled);
  });

  it('stops issuing when aborted', async () => {
    const abort = new AbortController();
    const result = await runLoad({
      concurrency: 2,
      requests: 1_000_000,
      signal: abort.signal,
      send: tick,
      onProgress: ({ completed }) => completed === 10 && abort.abort(),
    });
    expect(result.requests).toBeGreaterThanOrEqual(10);
    expect(result.requests).toBeLessThanOrEqual(11);
  });

  it('rejects options that describe no valid run', async () => {
    await expect(runLoad({ concurrency: 0, requests: 1, send: tick })).rejects.toThrow(/concurrency/);
    await expect(runLoad({ concurrency: 1, requests: 1.5, send: tick })).rejects.toThrow(/requests/);
    await expect(runLoad({ concurrency: 1, durationSec: -1, send: tick })).rejects.toThrow(/durationSec/);
    await expect(runLoad({ concurrency: 1, send: tick })).rejects.toThrow(/needs an end/);
  });
});
