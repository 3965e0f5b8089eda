import type { Client } from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GraphBuilder } from '../ts/onnx/model-builder';
import { clientMessage } from '../ts/protocol/status';
import { createClient, unaryError } from './grpc-test-support';
import { writeModel } from './helpers/models';
import { fetchJson, startRestServer, type RestTestServer } from './helpers/rest-server';

/** y = a + b with fully dynamic shapes: mismatching shapes pass validation and fail inside Add's broadcast. */
function dynamicAddModel(): string {
  const bytes = new GraphBuilder('dynamic_add')
    .addInput('a', 'float32', ['n', 'm'])
    .addInput('b', 'float32', ['p', 'q'])
    .addNode('Add', ['a', 'b'], ['y'])
    .addOutput('y', 'float32', ['r', 's'])
    .serialize();
  return writeModel('dynamic_add', bytes);
}

const SOURCE_PATH = /onnxruntime_src|\.cc:\d|\.h:\d|onnxruntime::/;

describe('clientMessage strips ONNX Runtime source locations', () => {
  it('removes a POSIX path with its line and the C++ signature after it', () => {
    const message =
      "Non-zero status code returned while running Add node. Name:'add_0' Status Message: /onnxruntime_src/onnxruntime/core/providers/cpu/math/element_wise_ops.h:563 void onnxruntime::BroadcastIterator::Init(ptrdiff_t, ptrdiff_t) axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 3 by 4";
    expect(clientMessage(message)).toBe(
      "Non-zero status code returned while running Add node. Name:'add_0' Status Message: axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 3 by 4",
    );
  });

  it('removes a Windows path in brackets and leaves plain text alone', () => {
    expect(clientMessage('failed [D:\\a\\_work\\1\\s\\onnxruntime\\core\\session\\inference_session.cc(1234)] here')).toBe('failed here');
    expect(clientMessage("input 'x': expected float32 [1,3], received int32 [1,3]")).toBe("input 'x': expected float32 [1,3], received int32 [1,3]");
  });
});

/**
 * Needs the addon to classify ORT Run failures caused by inputs as INVALID_ARGUMENT (the native
 * side of the failure classification); the client-facing text is sanitised here either way.
 */
describe('an ONNX Runtime failure caused by the inputs (a broadcast inside Add)', () => {
  let server: RestTestServer;
  let grpc: Client;
  beforeAll(async () => {
    server = await startRestServer({ dyn: { path: dynamicAddModel() } });
    grpc = createClient('inference.proto', 'inference.GRPCInferenceService', `127.0.0.1:${server.server.grpcPort}`);
  });
  afterAll(async () => {
    grpc?.close();
    await server?.close();
  });
  const a = { name: 'a', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] };
  const b = { name: 'b', datatype: 'FP32', shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] };

  it('is 400 over REST, with no source path in the body', async () => {
    const response = await fetchJson(`${server.url}/v2/models/dyn/infer`, { method: 'POST', body: JSON.stringify({ inputs: [a, b] }) });
    expect(response.text).not.toMatch(SOURCE_PATH);
    expect(response.body.error).toMatch(/broadcast/i);
    expect(response.status).toBe(400);
  });

  it('is INVALID_ARGUMENT over gRPC, with no source path in the details', async () => {
    const error = await unaryError(grpc, 'ModelInfer', {
      model_name: 'dyn',
      inputs: [a, b].map(({ data, ...rest }) => ({ ...rest, contents: { fp32_contents: data } })),
    });
    expect(error.details).not.toMatch(SOURCE_PATH);
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  });
});
