import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { scanJsonStructure } from '../ts/protocol/json-structure';

/** Arrays/objects and values of a parsed JSON value, counted by walking what JSON.parse built. */
function reference(value: unknown): { containers: number; values: number } {
  if (Array.isArray(value) || (typeof value === 'object' && value !== null)) {
    const children = Array.isArray(value) ? value : Object.values(value);
    return children.map(reference).reduce((sum, c) => ({ containers: sum.containers + c.containers, values: sum.values + c.values }), {
      containers: 1,
      values: 1,
    });
  }
  return { containers: 0, values: 1 };
}

// Strings without structure bytes, so the scan's counts are exact (inside strings it overcounts).
const plain = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '0') });
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.double({ noNaN: true, noDefaultInfinity: true }), plain, fc.boolean(), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(plain, tie('value'), { maxKeys: 4 }),
})).value;

describe('scanJsonStructure', () => {
  it('counts what JSON.parse builds: containers exactly, values (commas + containers) never fewer than it builds, less one', () => {
    fc.assert(
      fc.property(json, (value) => {
        const text = JSON.stringify(value);
        const expected = reference(JSON.parse(text));
        const scanned = scanJsonStructure(Buffer.from(text), Infinity, Infinity);
        expect(scanned.containers).toBe(expected.containers);
        // Every value but the first follows a comma or is a container: the cap can only overcount.
        expect(scanned.values + 1).toBeGreaterThanOrEqual(expected.values);
        expect(scanned.values).toBeLessThanOrEqual(2 * expected.values);
      }),
      { seed: 9, numRuns: 300 },
    );
  });

  it('stops at the first byte past a cap', () => {
    expect(scanJsonStructure(Buffer.from('[[],[],[],[]]'), 2, 100).containers).toBe(3);
    expect(scanJsonStructure(Buffer.from('[1,2,3,4,5,6]'), 100, 3).values).toBe(4);
  });
});
