import { describe, expect, it } from 'vitest';
import { percentile, percentileOfSorted, summarizeLatencies } from '../ts/client/latency-stats';

// Expected values worked out by hand with linear interpolation (rank h = (n - 1) * p / 100);
// they agree with numpy.percentile's default method.
describe('percentile', () => {
  const five = [15, 20, 35, 40, 50];

  it('returns the sample at an integer rank', () => {
    expect(percentileOfSorted(five, 0)).toBe(15);
    expect(percentileOfSorted(five, 25)).toBe(20); // h = 1
    expect(percentileOfSorted(five, 50)).toBe(35); // h = 2
    expect(percentileOfSorted(five, 100)).toBe(50);
  });

  it('interpolates between neighbouring samples', () => {
    expect(percentileOfSorted(five, 40)).toBeCloseTo(29, 12); // h = 1.6: 20 + 0.6 * 15
    expect(percentileOfSorted(five, 95)).toBeCloseTo(48, 12); // h = 3.8: 40 + 0.8 * 10
    expect(percentileOfSorted(five, 99)).toBeCloseTo(49.6, 12); // h = 3.96: 40 + 0.96 * 10
  });

  it('takes the mean of the middle two as the median of an even count', () => {
    expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileOfSorted([1, 2, 3, 4], 95)).toBeCloseTo(3.85, 12); // h = 2.85
  });

  it('gives 95.05 and 99.01 for 1..100', () => {
    const hundred = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentileOfSorted(hundred, 50)).toBeCloseTo(50.5, 12); // h = 49.5
    expect(percentileOfSorted(hundred, 95)).toBeCloseTo(95.05, 12); // h = 94.05
    expect(percentileOfSorted(hundred, 99)).toBeCloseTo(99.01, 12); // h = 98.01
  });

  it('sorts unsorted samples numerically, not as strings', () => {
    expect(percentile([100, 9, 20, 3], 50)).toBe(14.5); // sorted 3, 9, 20, 100
    expect(percentile([100, 9, 20, 3], 100)).toBe(100);
  });

  it('handles one sample and no samples', () => {
    expect(percentileOfSorted([7], 99)).toBe(7);
    expect(percentileOfSorted([], 50)).toBeNaN();
  });

  it('rejects percentiles outside [0, 100]', () => {
    expect(() => percentileOfSorted(five, -1)).toThrow(RangeError);
    expect(() => percentileOfSorted(five, 101)).toThrow(RangeError);
    expect(() => percentileOfSorted(five, Number.NaN)).toThrow(RangeError);
  });
});

describe('summarizeLatencies', () => {
  it('summarizes count, extremes, mean, median, p95 and p99', () => {
    expect(summarizeLatencies([50, 15, 40, 20, 35])).toEqual({
      count: 5,
      min: 15,
      max: 50,
      mean: 32, // 160 / 5
      median: 35,
      p95: expect.closeTo(48, 12),
      p99: expect.closeTo(49.6, 12),
    });
  });

  it('reports NaN statistics for no samples', () => {
    const summary = summarizeLatencies([]);
    expect(summary.count).toBe(0);
    for (const value of [summary.min, summary.max, summary.mean, summary.median, summary.p95, summary.p99]) {
      expect(value).toBeNaN();
    }
  });

  it('does not reorder the caller\'s samples', () => {
    const samples = [3, 1, 2];
    summarizeLatencies(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});
