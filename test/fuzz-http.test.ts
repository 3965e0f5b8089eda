import fc from 'fast-check';
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { killLeftovers } from './helpers/cli-process';
import { FUZZ_SEED, GOOD_V2_JSON, fuzzRuns, startFuzzTarget, type FuzzTarget } from './helpers/fuzz-server';

/**
 * A raw-socket HTTP/1.1 fuzzer against the real server (the CLI as a child process): mutated request
 * lines, methods, versions, headers (duplicates, huge, many), framing (Content-Length and
 * Transfer-Encoding combinations, chunked bodies with bad sizes) and random bodies on every route.
 * Each case runs under a short deadline of its own (uWS gives what it cannot parse a 10 s idle
 * timeout, so the fuzzer closes the socket itself); after every batch the server must still be
 * running and answer a good inference request. Seeded: PROTON_FUZZ_SEED, PROTON_FUZZ_RUNS.
 */

const RUNS = fuzzRuns(1_500);
const DEBUG = process.env.PROTON_FUZZ_DEBUG === '1';
const BATCH = 50;
const CASE_DEADLINE_MS = 400;

const ROUTES = [
  '/v2/models/add/infer', '/v2/models/add/versions/1/infer', '/v2/models/add', '/v2/models/add/ready', '/v2/models/add/config',
  '/v2/models/add/stats', '/v2/health/live', '/v2/health/ready', '/v2', '/v2/repository/index', '/v2/repository/models/add/load',
  '/predict', '/models', '/ready', '/metrics', '/nowhere', '/v2/models/nope/infer', '/v2/models/%00/infer', '/v2/models/add/infer?x=1',
];
const token = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_:;,/ \t%"'.split('')), maxLength: 12 });
const bytes = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1'));

const method = fc.oneof({ arbitrary: fc.constantFrom('GET', 'POST'), weight: 6 }, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'get', 'POST '), token);
const target = fc.oneof({ arbitrary: fc.constantFrom(...ROUTES), weight: 8 }, token.map((t) => `/${t}`), fc.constant('*'), fc.constant('http://x/v2/health/live'), bytes);
const version = fc.oneof({ arbitrary: fc.constant('HTTP/1.1'), weight: 12 }, fc.constantFrom( 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/1', 'HTTP/1.1 x', '', 'http/1.1'));
const length = fc.oneof(fc.nat({ max: 300 }).map(String), fc.constantFrom('-1', '99999999999', '1e3', ' 5', '0x10', '', '5, 5', '18446744073709551616'));
const header = fc.oneof(
  fc.constant(['Host', 'x']),
  length.map((v) => ['Content-Length', v]),
  fc.constantFrom('chunked', 'xchunked', 'gzip, chunked', 'chunked, gzip', 'identity', 'Chunked', '').map((v) => ['Transfer-Encoding', v]),
  fc.constantFrom('gzip', 'deflate', 'br', 'identity', '').map((v) => ['Content-Encoding', v]),
  fc.oneof(fc.nat({ max: 400 }).map(String), token).map((v) => ['Inference-Header-Content-Length', v]),
  fc.oneof(fc.nat().map(String), fc.constantFrom('1e13', '-5', 'x')).map((v) => ['X-Proton-Timeout-Ms', v]),
  fc.constantFrom('close', 'keep-alive', 'upgrade').map((v) => ['Connection', v]),
  fc.constantFrom('application/json', 'application/octet-stream', '').map((v) => ['Content-Type', v]),
  fc.nat({ max: 9_000 }).map((n) => ['X-Huge', 'v'.repeat(n)]),
  fc.tuple(token, token),
  fc.tuple(bytes, bytes),
);
const headers = fc.oneof(
  { arbitrary: fc.array(header, { maxLength: 8 }), weight: 8 },
  fc.nat({ max: 130 }).map((n) => Array.from({ length: n }, (_, i) => [`X-H${i}`, 'v'])),
);
const chunk = fc.tuple(fc.oneof(fc.nat({ max: 40 }).map((n) => n.toString(16)), fc.constantFrom('zz', '-1', 'fffffffffffffffff', '5;ext=1', '')), bytes);
const body = fc.oneof(
  fc.constant(''),
  fc.constant(GOOD_V2_JSON),
  bytes,
  fc.json({ maxDepth: 4 }),
  fc.array(chunk, { maxLength: 4 }).map((chunks) => `${chunks.map(([size, data]) => `${size}\r\n${data}\r\n`).join('')}0\r\n\r\n`),
  fc.constant('{"model_name":"add","data":[[1,2]]}'),
);
/** Byte flips, cuts and insertions over a whole request. */
const mutations = fc.oneof({ arbitrary: fc.constant([]), weight: 4 }, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'insert')), { maxLength: 3 }));

const request = fc.tuple(method, target, version, headers, body, mutations, fc.nat({ max: 9 })).map(([m, t, v, h0, b, muts, noHost]) => {
  // Most requests carry a Host (uWS drops those without one before any handler runs).
  const h = noHost === 0 ? h0 : [['Host', 'x'], ...h0];
  let text = `${m} ${t} ${v}\r\n${h.map(([name, value]) => `${name}: ${value}`).join('\r\n')}${h.length ? '\r\n' : ''}\r\n${b}`;
  for (const [at, byte, kind] of muts) {
    const i = at % (text.length + 1);
    const c = String.fromCharCode(byte);
    text = kind === 'flip' ? text.slice(0, i) + c + text.slice(i + 1) : kind === 'cut' ? text.slice(0, i) : text.slice(0, i) + c + text.slice(i);
  }
  return Buffer.from(text, 'latin1');
});

type Outcome = { kind: 'answered' | 'closed' | 'deadline'; statuses: number[]; text: string };

/** Sends one request and reports what happened within the deadline (the socket is then destroyed). */
function exchange(port: number, bytes: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
      resolve({ kind: statuses.length > 0 ? 'answered' : closed ? 'closed' : 'deadline', statuses, text });
    };
    const timer = setTimeout(() => finish(false), CASE_DEADLINE_MS);
    socket.on('data', (data) => {
      text += data.toString('latin1');
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => undefined);
  });
}

let target_: FuzzTarget;
beforeAll(async () => {
  target_ = await startFuzzTarget();
}, 60_000);
afterAll(killLeftovers);

describe(`HTTP fuzzer (${RUNS} cases, seed ${FUZZ_SEED})`, () => {
  it('never crashes, never answers 500, and keeps serving good requests', async () => {
    const cases = fc.sample(request, { seed: FUZZ_SEED, numRuns: RUNS });
    const tally = { answered: 0, closed: 0, deadline: 0 };
    const statuses = new Map<number, number>();
    for (let start = 0; start < cases.length; start += BATCH) {
      const outcomes = await Promise.all(cases.slice(start, start + BATCH).map((bytes) => exchange(target_.ports.http, bytes)));
      outcomes.forEach((outcome, i) => {
        tally[outcome.kind]++;
        if (DEBUG && outcome.kind === 'deadline') console.log(JSON.stringify(cases[start + i]!.toString('latin1').slice(0, 200)));
        for (const status of outcome.statuses) {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          // A 500 means a handler threw on input it should have refused; show the request.
          if (status === 500) expect.fail(`500 for ${JSON.stringify(cases[start + i]!.toString('latin1').slice(0, 400))}:\n${outcome.text.slice(0, 400)}`);
        }
      });
      await target_.expectAlive();
    }
    console.log(`HTTP fuzzer: ${JSON.stringify(tally)}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    expect(tally.answered + tally.closed + tally.deadline).toBe(RUNS);
  }, 120_000);
});
