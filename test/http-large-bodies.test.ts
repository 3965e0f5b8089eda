import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { scaleCastModel } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';
import { startRestServer, type RestTestServer } from './helpers/rest-server';
import { binaryRequest, decodeInferResponse } from './helpers/v2-binary';

/**
 * Bodies of many MiB: a request body arriving in many chunks is joined a few MiB per event-loop
 * turn, and a large binary response is streamed from the output tensors themselves (uWS tryEnd
 * and onWritable) rather than joined and copied; clients that read slowly or go away mid-body.
 */

const MiB = 1024 * 1024;
const ROWS = 3 * 1024;
const COLS = 1024; // x: 12 MiB of float32; y the same; z (int64) 24 MiB

let server: RestTestServer;
let modelPath: string;

beforeAll(async () => {
  modelPath = scaleCastModel('scale_cast_large_bodies');
  server = await startRestServer({ scale: { path: modelPath } });
});
afterAll(() => server?.close());

const x = (randomData('float32', ROWS * COLS, 5) as Float32Array).map((v) => Math.round(v * 100));

/** A binary request whose JSON header length is not a multiple of 8 (the body is realigned while joined). */
function largeRequest(outputs: string[]): { body: Buffer; headers: Record<string, string> } {
  const header = {
    id: 'large-1',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [ROWS, COLS], parameters: { binary_data_size: x.byteLength } }],
    outputs: outputs.map((name) => ({ name, parameters: { binary_data: true } })),
  };
  const request = binaryRequest(header, [Buffer.from(x.buffer, x.byteOffset, x.byteLength)]);
  expect(Number(request.headers['inference-header-content-length']) % 8).not.toBe(0);
  return request;
}

function post(request: { body: Buffer; headers: Record<string, string> }): Promise<Response> {
  return fetch(`${server.url}/v2/models/scale/infer`, { method: 'POST', headers: request.headers, body: request.body });
}

/** Sends `request` on a raw socket and collects the whole answer; `readAfterMs` delays reading it. */
function rawExchange(request: { body: Buffer; headers: Record<string, string> }, readAfterMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    const head = [
      'POST /v2/models/scale/infer HTTP/1.1',
      'Host: 127.0.0.1',
      'Connection: close',
      `Content-Length: ${request.body.length}`,
      ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
    ].join('\r\n');
    const received: Buffer[] = [];
    socket.pause();
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(received)));
    socket.on('error', reject);
    socket.write(`${head}\r\n\r\n`);
    socket.write(request.body, () => setTimeout(() => socket.resume(), readAfterMs));
  });
}

describe('large request and response bodies', () => {
  it('a 12 MiB binary request and its 36 MiB two-output binary response equal onnxruntime-node', async () => {
    const response = await post(largeRequest(['y', 'z']));
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(36 * MiB);
    const decoded = await decodeInferResponse(response);
    expect(decoded.header.id).toBe('large-1');
    expect(decoded.binaryOutputs.sort()).toEqual(['y', 'z']);
    const expected = await referenceRun(modelPath, { x: { type: 'float32', dims: [ROWS, COLS], data: x } });
    expectTensorClose(decoded.outputs.y, expected.y);
    expectTensorClose(decoded.outputs.z, expected.z);
  });

  it('a client that reads nothing for a while still gets every byte, in order', async () => {
    const answer = await rawExchange(largeRequest(['y']), 700);
    const headerEnd = answer.indexOf('\r\n\r\n');
    const headText = answer.subarray(0, headerEnd).toString('latin1');
    expect(headText).toMatch(/^HTTP\/1\.1 200 OK/);
    const contentLength = Number(/^content-length: (\d+)/im.exec(headText)![1]);
    const body = answer.subarray(headerEnd + 4);
    expect(body.length).toBe(contentLength);
    const jsonLength = Number(/inference-header-content-length: (\d+)/i.exec(headText)![1]);
    const y = new Float32Array(body.buffer.slice(body.byteOffset + jsonLength, body.byteOffset + body.length));
    expect(y.length).toBe(ROWS * COLS);
    for (let i = 0; i < y.length; i += 997) expect(y[i]).toBe(x[i]! * 2 + 1);
    expect(y[y.length - 1]).toBe(x[x.length - 1]! * 2 + 1);
  });

  it('a client that goes away in the middle of the response leaves the server serving', async () => {
    const request = largeRequest(['y', 'z']);
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1');
      let bytes = 0;
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > 4 * MiB) {
          socket.destroy();
          resolve();
        }
      });
      socket.on('error', reject);
      socket.write(`POST /v2/models/scale/infer HTTP/1.1\r\nHost: x\r\nContent-Length: ${request.body.length}\r\n`);
      socket.write(`inference-header-content-length: ${request.headers['inference-header-content-length']}\r\n\r\n`);
      socket.write(request.body);
    });
    const small = binaryRequest({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } }] }, [
      Buffer.from(new Float32Array([3, -4]).buffer),
    ]);
    const response = await fetch(`${server.url}/v2/models/scale/infer`, { method: 'POST', headers: small.headers, body: small.body });
    expect(response.status).toBe(200);
    const decoded = await decodeInferResponse(response);
    expect(Array.from(decoded.outputs.y!.data as Float32Array)).toEqual([7, -7]);
  });
});
