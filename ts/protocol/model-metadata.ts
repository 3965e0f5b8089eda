import type { ModelMetadata, TensorInfo } from '../model-types';
import { toV2Datatype, type V2Datatype } from './datatypes';
import { PLATFORM } from './server-metadata';

/** One tensor of a V2 model metadata answer. */
export interface V2TensorMetadata {
  name: string;
  datatype: V2Datatype;
  shape: number[];
}

/** The V2 model metadata answer (REST `GET /v2/models/:m`, gRPC ModelMetadata). */
export interface V2ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: V2TensorMetadata[];
  outputs: V2TensorMetadata[];
}

/** V2 shapes use -1 for every dynamic dimension, named or not. */
export function toV2Shape(shape: ReadonlyArray<number | string>): number[] {
  return shape.map((dim) => (typeof dim === 'number' ? dim : -1));
}

export function v2TensorMetadata(info: TensorInfo): V2TensorMetadata {
  return { name: info.name, datatype: toV2Datatype(info.type), shape: toV2Shape(info.shape) };
}

/** `versions` lists the versions a client may ask for (every READY one); default: the one answered. */
export function v2ModelMetadata(name: string, version: string, metadata: ModelMetadata, versions: readonly string[] = [version]): V2ModelMetadata {
  return {
    name,
    versions: [...versions],
    platform: PLATFORM,
    inputs: metadata.inputs.map(v2TensorMetadata),
    outputs: metadata.outputs.map(v2TensorMetadata),
  };
}
