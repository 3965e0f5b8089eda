import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';

/**
 * How every Proton proto is loaded. `longs: String` keeps INT64/UINT64 tensor elements exact
 * (Number would round past 2^53); `bytes: Buffer` leaves raw contents as views of the received
 * message; `defaults` gives absent repeated fields as empty arrays so handlers need no checks.
 */
export const PROTO_LOADER_OPTIONS: Readonly<Options> = {
  keepCase: true,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: true,
  arrays: true,
  oneofs: true,
};

/** The folder holding Proton's `.proto` files, found from both `ts/` (tests) and `dist/ts/` (built). */
export const PROTO_DIR: string = findProtoDir(__dirname);

function findProtoDir(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'proto');
    if (existsSync(path.join(candidate, 'inference.proto'))) return candidate;
    if (path.dirname(dir) === dir) {
      throw new Error(`cannot find proto/inference.proto above ${start}; is the package installed completely?`);
    }
  }
}

/** The services Proton serves over gRPC. */
export interface ProtonServiceDefinitions {
  /** `predict.Predictor`, the original Proton API. */
  predictor: ServiceDefinition;
  /** `inference.GRPCInferenceService`, the Open Inference Protocol. */
  inference: ServiceDefinition;
  /** `grpc.health.v1.Health`. */
  health: ServiceDefinition;
}

let cached: ProtonServiceDefinitions | undefined;

/** Loads (once per process) the service definitions of `proto/*.proto`. */
export function loadProtonServices(): ProtonServiceDefinitions {
  cached ??= {
    predictor: serviceOf(loadProto('predict.proto'), 'predict.Predictor'),
    inference: serviceOf(loadProto('inference.proto'), 'inference.GRPCInferenceService'),
    health: serviceOf(loadProto('health.proto'), 'grpc.health.v1.Health'),
  };
  return cached;
}

/** Loads one of Proton's proto files with the shared options (clients in tests use this too). */
export function loadProto(file: string): PackageDefinition {
  return loadSync(path.join(PROTO_DIR, file), PROTO_LOADER_OPTIONS);
}

function serviceOf(definition: PackageDefinition, name: string): ServiceDefinition {
  const service = definition[name];
  if (!service || 'format' in service) throw new Error(`proto service ${name} is missing`);
  return service as ServiceDefinition;
}
