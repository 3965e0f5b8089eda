import type { TensorType } from '../tensor';

/** Open Inference Protocol datatype names. */
export type V2Datatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

const TO_V2: Readonly<Record<TensorType, V2Datatype>> = {
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float16: 'FP16',
  float32: 'FP32',
  float64: 'FP64',
  string: 'BYTES',
};

const FROM_V2: ReadonlyMap<string, TensorType> = new Map(
  Object.entries(TO_V2).map(([type, datatype]) => [datatype, type as TensorType]),
);

export function toV2Datatype(type: TensorType): V2Datatype {
  return TO_V2[type];
}

/** The tensor type of a V2 datatype name, or undefined when the name is unknown. */
export function fromV2Datatype(datatype: string): TensorType | undefined {
  return FROM_V2.get(datatype);
}

/** V2 shapes use -1 for every dynamic dimension, named or not. */
export function toV2Shape(shape: ReadonlyArray<number | string>): number[] {
  return shape.map((dim) => (typeof dim === 'number' ? dim : -1));
}
