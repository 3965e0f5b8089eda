import { afterAll, describe, expect, it } from 'vitest';

import { killLeftovers } from './helpers/cli-process';
import { runSoak } from './soak/soak-run';

/** The short version of `npm run soak`: every kind of request, mixed, against the CLI as a child. */
afterAll(killLeftovers);

describe('soak (short)', () => {
  it('20,000 mixed requests: no crash, every request answered as its kind allows, RSS flat after warm-up', async () => {
    const result = await runSoak({ requests: 20_000, concurrency: 32 });
    console.log(`soak: ${result.requests} requests in ${result.seconds.toFixed(1)} s, RSS ${result.rssMinMiB.toFixed(0)} to ${result.rssMaxMiB.toFixed(0)} MiB; ${JSON.stringify(result.kinds)}`);
    expect(result.crashed).toBe(false);
    expect(result.failureExamples).toEqual([]);
    expect(result.requests).toBe(20_000);
    // Every kind ran, and overload and cancellation really happened.
    expect(Object.keys(result.kinds).length).toBe(15);
    expect(result.kinds['overload-rest']?.['503'] ?? 0).toBeGreaterThan(0);
    expect(result.rssMaxMiB - result.rssMinMiB).toBeLessThan(50);
  }, 120_000);
});
