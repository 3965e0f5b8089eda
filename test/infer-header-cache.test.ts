import { describe, expect, it } from 'vitest';

import { InferHeaderCache } from '../ts/protocol/infer-header-cache';
import { parseInferRequest } from '../ts/protocol/infer-request';

/** The parsed-header cache of the binary extension: what it keeps, and that it stays bounded. */

function header(name: string, extra: object = {}): { text: string; request: ReturnType<typeof parseInferRequest> } {
  const json = { inputs: [{ name, datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: 16 } }], ...extra };
  const text = JSON.stringify(json);
  return { text, request: parseInferRequest(JSON.parse(text)) };
}

describe('InferHeaderCache', () => {
  it('returns what was parsed from the same text, frozen, and nothing for another text', () => {
    const cache = new InferHeaderCache();
    const { text, request } = header('x');
    cache.remember(text, request);
    const hit = cache.get(text);
    expect(hit).toEqual(parseInferRequest(JSON.parse(text)));
    expect(Object.isFrozen(hit)).toBe(true);
    expect(Object.isFrozen(hit?.inputs[0]?.shape)).toBe(true);
    expect(cache.get(header('y').text)).toBeUndefined();
  });

  it('does not keep headers that differ per request: an id, or JSON data', () => {
    const cache = new InferHeaderCache();
    const withId = header('x', { id: 'request-1' });
    cache.remember(withId.text, withId.request);
    expect(cache.get(withId.text)).toBeUndefined();
    const text = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }] });
    cache.remember(text, parseInferRequest(JSON.parse(text)));
    expect(cache.get(text)).toBeUndefined();
  });

  it('stays bounded: past its capacity it starts over', () => {
    const cache = new InferHeaderCache();
    const first = header('input0');
    cache.remember(first.text, first.request);
    let kept = 0;
    for (let i = 1; i <= 1000; i++) {
      const each = header(`input${i}`);
      cache.remember(each.text, each.request);
    }
    for (let i = 0; i <= 1000; i++) if (cache.get(header(`input${i}`).text) !== undefined) kept++;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(256);
    expect(cache.get(first.text)).toBeUndefined();
  });

  it('does not keep a header longer than 2048 characters', () => {
    const cache = new InferHeaderCache();
    const long = header('x'.repeat(3000));
    cache.remember(long.text, long.request);
    expect(cache.get(long.text)).toBeUndefined();
  });
});
