import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The name `GET /v2` and gRPC ServerMetadata report. */
export const SERVER_NAME = 'proton';

/** The package version, read from the nearest package.json (works from ts/ and dist/ts/). */
export const SERVER_VERSION: string = findVersion();

function findVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'proton-serve' && typeof pkg.version === 'string') return pkg.version;
    }
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}

/** Extensions of the Open Inference Protocol Proton implements: one list for REST and gRPC. */
export const V2_EXTENSIONS: readonly string[] = ['binary_tensor_data', 'schedule_policy', 'model_repository', 'model_configuration', 'statistics'];

/** The platform Triton reports for ONNX Runtime models. */
export const PLATFORM = 'onnxruntime_onnx';
