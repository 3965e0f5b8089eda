import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { demoModels } from './helpers/models';
import { rawExchange, statusOf } from './helpers/raw-http';
import { fetchJson, postJson, startRestServer, type RestTestServer } from './helpers/rest-server';

/** Hostile HTTP input: every case answers with its exact status and the server keeps serving. */

let server: RestTestServer;
const RECEIVE_TIMEOUT_MS = 400;

beforeAll(async () => {
  const paths = await demoModels();
  server = await startRestServer(
    { add: { path: paths.add } },
    { maxBodyBytes: 2 * 1024 * 1024, limits: { maxDecodedBytes: 1024 * 1024, maxInFlightBytes: 1536 * 1024, receiveTimeoutMs: RECEIVE_TIMEOUT_MS } },
  );
});
afterAll(() => server?.close());

const a16 = Array.from({ length: 16 }, (_, i) => i);
const good = { inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 16], data: a16 }, { name: 'b', datatype: 'FP32', shape: [1, 16], data: a16 }] };

async function expectStillServing(): Promise<void> {
  const { status, body } = await postJson(`${server.url}/v2/models/add/infer`, good);
  expect(status).toBe(200);
  expect(body.outputs[0].data).toEqual(a16.map((v) => 2 * v));
}

const raw = (head: string, body = ''): Promise<{ text: string; closed: boolean }> =>
  rawExchange(server.port, `${head}\r\n\r\n${body}`, 3_000);

describe('framing on every route', () => {
  // Known broken with uWS v20.30 (see the hardening report): marked `fails` so a fix shows up.
  const KNOWN_BROKEN = new Set([
    'duplicate content-length on a GET route',
    'duplicate content-length on the catch-all',
    'content-length with transfer-encoding',
    'oversize declared content-length',
  ]);
  const cases: Array<[string, string, number]> = [
    ['duplicate content-length on a GET route', 'GET /v2/health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5', 400],
    ['duplicate content-length on the catch-all', 'GET /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2', 400],
    ['duplicate content-length on POST', 'POST /v2/models/add/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2', 400],
    ['transfer-encoding xchunked', 'POST /v2/models/add/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked', 501],
    ['transfer-encoding gzip, chunked', 'POST /v2/models/add/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked', 501],
    ['malformed transfer-encoding', 'POST /v2/models/add/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked;;', 400],
    ['content-length with transfer-encoding', 'POST /v2/models/add/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked', 400],
    ['oversize declared content-length', 'POST /v2/models/add/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999', 413],
    ['a body on a GET route is not parsed as a request', 'GET /v2/health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 40', 200],
  ];
  for (const [what, head, status] of cases) {
    (KNOWN_BROKEN.has(what) ? it.fails : it)(`${what}: ${status}, then closed`, async () => {
      const smuggled = head.startsWith('GET') ? 'GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n' : '';
      const { text, closed } = await raw(head, smuggled);
      expect(statusOf(text)).toBe(status);
      // Exactly one response: the bytes after the head never became a second request.
      expect(text.match(/HTTP\/1\.1 \d{3}/g)).toHaveLength(1);
      expect(closed).toBe(true);
      await expectStillServing();
    });
  }

  it.fails('more than 48 header fields: 431 when uWS lets the request through, never a wrong answer', async () => {
    const headers = Array.from({ length: 47 }, (_, i) => `X-H${i}: v`).join('\r\n');
    const { text } = await raw(`GET /v2/health/live HTTP/1.1\r\nHost: x\r\n${headers}`);
    // 48 fields: uWS still calls the handler and the request is served.
    expect(statusOf(text)).toBe(200);
    const many = Array.from({ length: 60 }, (_, i) => `X-H${i}: v`).join('\r\n');
    const { text: refused, closed } = await raw(`GET /v2/health/live HTTP/1.1\r\nHost: x\r\n${many}`);
    // uWS v20.30 drops such a request before any handler runs: no status, the connection closes.
    expect([undefined, 431]).toContain(statusOf(refused));
    expect(closed).toBe(true);
    await expectStillServing();
  });
});

describe('pipelining', () => {
  const body = JSON.stringify(good);
  const infer = `POST /v2/models/add/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const statuses = (text: string): number[] => [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));

  it('requests pipelined behind synchronous answers are all answered, in order', async () => {
    const { text } = await rawExchange(server.port, `GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n${infer}`, 3_000);
    expect(statuses(text)).toEqual([200, 200]);
    expect(text.indexOf('{"live":true}')).toBeLessThan(text.indexOf('"outputs"'));
    await expectStillServing();
  });

  // uWS v20.30 refuses asynchronous pipelining by design: its parser closes the connection when a
  // request arrives while the previous response is pending, before any handler runs (so the pending
  // inference's answer is lost too). Marked `fails` so a fix shows up.
  it.fails('an inference then a readiness probe in one write: both answered, in order', async () => {
    const { text } = await rawExchange(server.port, `${infer}GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n`, 2_000);
    expect(statuses(text)).toEqual([200, 200]);
    expect(text.indexOf('"outputs"')).toBeLessThan(text.indexOf('{"ready":true}'));
  });

  it.fails('three inferences in one write: three answers', async () => {
    const { text } = await rawExchange(server.port, infer.repeat(3), 2_000);
    expect(statuses(text)).toEqual([200, 200, 200]);
  });
});

describe('limits', () => {
  it('a gzip bomb is cut at the decoded limit: 413', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024));
    const response = await fetch(`${server.url}/v2/models/add/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toMatch(/decompressed request body exceeds the limit of 1048576 bytes/);
    await expectStillServing();
  });

  it('more bytes in flight than the server-wide budget: 503 at once', async () => {
    const body = Buffer.alloc(1600 * 1024, 0x20);
    const response = await fetch(`${server.url}/v2/models/add/infer`, { method: 'POST', body });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: string }).error).toMatch(/already reading 1572864 bytes of requests/);
    await expectStillServing();
  });

  it('a body that never completes: 408 after the receive timeout, then closed', async () => {
    const { text, closed } = await rawExchange(server.port, 'POST /v2/models/add/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{', RECEIVE_TIMEOUT_MS * 5);
    expect(statusOf(text)).toBe(408);
    expect(closed).toBe(true);
    await expectStillServing();
  });

  it('an error quotes a bounded excerpt of a huge string', async () => {
    const huge = 'x'.repeat(500_000);
    const { status, text } = await postJson(`${server.url}/v2/models/add/infer`, {
      inputs: [{ name: 'a', datatype: 'FP32', shape: [1], data: [huge] }],
    });
    expect(status).toBe(400);
    expect(text.length).toBeLessThan(400);
    await expectStillServing();
  });

  it('a 1e13 ms timeout is clamped, not an instant timeout', async () => {
    const { status } = await postJson(`${server.url}/v2/models/add/infer`, good, { 'x-proton-timeout-ms': '10000000000000' });
    expect(status).toBe(200);
  });
});

describe('strict values', () => {
  const one = (data: string, datatype = 'FP32', name = 'a') =>
    fetchJson(`${server.url}/v2/models/add/infer`, {
      method: 'POST',
      body: `{"inputs":[{"name":"${name}","datatype":"${datatype}","shape":[1,2],"data":${data}},{"name":"b","datatype":"FP32","shape":[1,2],"data":[1,2]}]}`,
    });
  const cases: Array<[string, () => ReturnType<typeof one>, RegExp]> = [
    ['1e400 (beyond float64)', () => one('[1e400, 1]'), /beyond the range of a 64-bit float/],
    ['3.5e38 (beyond float32)', () => one('[3.5e38, 1]'), /element 0 of FP32 data is 3\.5e\+38, expected a number within/],
    ['ragged nested data', () => one('[[1],[2,3]]'), /ragged data has no shape/],
    ['a deep-nested element among numbers', () => one(`[1, ${'['.repeat(5000)}${']'.repeat(5000)}]`), /element 1 of FP32 data is an array/],
    
  ];
  for (const [what, send, message] of cases) {
    it(`${what}: 400`, async () => {
      const { status, body } = await send();
      expect(status).toBe(400);
      expect(body.error).toMatch(message);
      await expectStillServing();
    });
  }
});
