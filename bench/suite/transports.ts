import { GrpcTransport } from '../../ts/client/grpc-transport';
import { RestTransport } from '../../ts/client/rest-transport';
import type { InferTransport } from '../../ts/client/transport';
import { LOOPBACK } from '../common/network';
import type { StartedServer } from './server-children';
import type { ClientId } from './variants';

/**
 * The clients' own transports for each client of the suite: keep-alive node:http for REST (one
 * socket per request in flight), one grpc-js channel for gRPC (V2 ModelInfer with raw contents).
 */
export function createTransport(client: Exclude<ClientId, 'in-process'>, server: StartedServer, maxConcurrency: number): InferTransport {
  const url = `http://${LOOPBACK}:${server.httpPort}`;
  if (client !== 'grpc' && server.httpPort === undefined) throw new Error(`${server.id} serves no REST`);
  switch (client) {
    case 'rest-binary':
      return new RestTransport({ url, encoding: 'binary', concurrency: maxConcurrency });
    case 'rest-json':
      return new RestTransport({ url, encoding: 'json', concurrency: maxConcurrency });
    case 'grpc':
      if (server.grpcPort === undefined) throw new Error(`${server.id} serves no gRPC`);
      return new GrpcTransport({ url: `${LOOPBACK}:${server.grpcPort}`, api: 'v2' });
  }
}
