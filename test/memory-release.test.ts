import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { native } from '../ts/native';
import { ByteBudget } from '../ts/protocol/byte-budget';
import { MemoryRelease, type MemoryReleaseActions } from '../ts/server/memory-release';

/**
 * When the server gives memory back (the policy, on fake timers, with recording actions); that it
 * really does is test/hardening-memory.test.ts, on a real server.
 */

const MiB = 1024 * 1024;
const OPTIONS = { largeBytes: 8 * MiB, idleBytes: 1 * MiB, settleMs: 100, minIntervalMs: 1000, gcWaitMs: 2000 };

function recordingActions(): MemoryReleaseActions & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    collectGarbage: async (waitMs) => {
      calls.push(`gc ${waitMs}`);
    },
    trimHeap: async () => {
      calls.push('trim');
      return true;
    },
  };
}

/** One request holding `bytes` of the budget, then answered. */
function request(budget: ByteBudget, bytes: number): void {
  const lease = budget.lease();
  expect(lease.grow(bytes)).toBe(true);
  lease.release();
}

let budget: ByteBudget;
let actions: ReturnType<typeof recordingActions>;
let release: MemoryRelease;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  budget = new ByteBudget(192 * MiB);
  actions = recordingActions();
  release = new MemoryRelease(budget, OPTIONS, actions);
});
afterEach(() => {
  release.close();
  vi.useRealTimers();
});

describe('memory release after large requests', () => {
  it('never runs for small requests', async () => {
    for (let i = 0; i < 10_000; i++) request(budget, 64 * 1024);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(actions.calls).toEqual([]);
    expect(release.releases).toBe(0);
  });

  it('collects garbage, then trims, once the settle time after a large request has passed', async () => {
    request(budget, 64 * MiB);
    await vi.advanceTimersByTimeAsync(OPTIONS.settleMs - 1);
    expect(actions.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(actions.calls).toEqual([`gc ${OPTIONS.gcWaitMs}`, 'trim']);
    // Nothing large since: nothing more.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(release.releases).toBe(1);
  });

  it('never runs for many concurrent mid-size requests, whatever they add up to', async () => {
    for (let round = 0; round < 100; round++) {
      const leases = Array.from({ length: 32 }, () => budget.lease());
      for (const lease of leases) expect(lease.grow(2 * MiB)).toBe(true); // 64 MiB in flight at once
      for (const lease of leases) lease.release();
      await vi.advanceTimersByTimeAsync(200);
    }
    expect(release.releases).toBe(0);
  });

  it('a large request made of many small grows counts as large', async () => {
    const lease = budget.lease();
    for (let i = 0; i < 256; i++) expect(lease.grow(64 * 1024)).toBe(true);
    lease.release();
    await vi.advanceTimersByTimeAsync(OPTIONS.settleMs);
    expect(release.releases).toBe(1);
  });

  it('a provisional worst case (a compressed gRPC call) is not large unless confirmed', async () => {
    // Small compressed calls: the worst case is reserved, then replaced by the decoded size.
    for (let i = 0; i < 100; i++) {
      expect(budget.tryReserve(64 * MiB, true)).toBe(true);
      budget.release(64 * MiB);
      expect(budget.tryReserve(1024)).toBe(true);
      budget.release(1024);
    }
    await vi.advanceTimersByTimeAsync(10_000);
    expect(release.releases).toBe(0);
    // A call whose message never arrived (grpc-js refused what it inflated): its worst case counts.
    expect(budget.tryReserve(64 * MiB, true)).toBe(true);
    budget.noteRequest(64 * MiB);
    budget.release(64 * MiB);
    await vi.advanceTimersByTimeAsync(OPTIONS.settleMs);
    expect(release.releases).toBe(1);
  });

  it('waits while other requests still hold more than the idle bytes', async () => {
    const other = budget.lease();
    expect(other.grow(2 * MiB)).toBe(true);
    request(budget, 64 * MiB);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(release.releases).toBe(0);
    other.release();
    await vi.advanceTimersByTimeAsync(OPTIONS.settleMs);
    expect(release.releases).toBe(1);
  });

  it('a large request arriving during the settle time postpones the release to its own end', async () => {
    request(budget, 64 * MiB);
    await vi.advanceTimersByTimeAsync(50);
    const late = budget.lease();
    expect(late.grow(32 * MiB)).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(release.releases).toBe(0);
    late.release();
    await vi.advanceTimersByTimeAsync(OPTIONS.settleMs);
    expect(release.releases).toBe(1);
  });

  it('releases at most once per interval under a stream of large requests', async () => {
    for (let t = 0; t < 10_000; t += 50) {
      request(budget, 16 * MiB);
      await vi.advanceTimersByTimeAsync(50);
    }
    await vi.advanceTimersByTimeAsync(OPTIONS.minIntervalMs);
    // 10 s of large requests: one release per second at most, and one for the last of them.
    expect(release.releases).toBeGreaterThanOrEqual(9);
    expect(release.releases).toBeLessThanOrEqual(11);
    expect(actions.calls.filter((call) => call === 'trim')).toHaveLength(release.releases);
  });

  it('a large request that ends during a release gets a release of its own', async () => {
    let finishGc: () => void = () => undefined;
    actions.collectGarbage = (waitMs) =>
      new Promise<void>((resolve) => {
        actions.calls.push(`gc ${waitMs}`);
        finishGc = resolve;
      });
    request(budget, 64 * MiB);
    await vi.advanceTimersByTimeAsync(OPTIONS.settleMs);
    expect(release.releases).toBe(1);
    request(budget, 64 * MiB);
    await vi.advanceTimersByTimeAsync(OPTIONS.settleMs);
    expect(release.releases).toBe(1);
    finishGc();
    await vi.advanceTimersByTimeAsync(OPTIONS.minIntervalMs);
    expect(release.releases).toBe(2);
  });

  it('reports a failing action and keeps working', async () => {
    const errors: unknown[] = [];
    release.close();
    actions.trimHeap = () => Promise.reject(new Error('trim failed'));
    release = new MemoryRelease(budget, OPTIONS, actions, (error) => errors.push(error));
    request(budget, 64 * MiB);
    await vi.advanceTimersByTimeAsync(OPTIONS.settleMs);
    expect(errors.map((error) => (error as Error).message)).toEqual(['trim failed']);
    request(budget, 64 * MiB);
    await vi.advanceTimersByTimeAsync(OPTIONS.minIntervalMs);
    expect(release.releases).toBe(2);
  });

  it('does nothing once closed', async () => {
    request(budget, 64 * MiB);
    release.close();
    request(budget, 64 * MiB);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(actions.calls).toEqual([]);
  });
});

describe('the native memory calls', () => {
  it('trimHeap resolves with whether glibc returned memory (always a boolean), off the JS thread', async () => {
    vi.useRealTimers();
    const trimmed = native.trimHeap();
    expect(trimmed).toBeInstanceOf(Promise);
    expect(typeof (await trimmed)).toBe('boolean');
  });

  it('requestGarbageCollection leaves no external memory reported', () => {
    const before = process.memoryUsage().external;
    native.requestGarbageCollection();
    // A full collection may free some; the 128 MiB hint itself is withdrawn at once.
    expect(process.memoryUsage().external).toBeLessThanOrEqual(before + MiB);
  });
});
