/**
 * Every element type Proton carries, in one table: its onnxruntime-node name, its Open Inference
 * Protocol name, its ONNX `TensorProto.DataType` code, its typed array, its gRPC typed-contents
 * field and how JSON carries it. Every other mapping in the TypeScript code is derived from here.
 */

/** The gRPC `InferTensorContents` field of each type (FP16 has none: it travels raw). */
export type ContentsField =
  | 'bool_contents'
  | 'int_contents'
  | 'int64_contents'
  | 'uint_contents'
  | 'uint64_contents'
  | 'fp32_contents'
  | 'fp64_contents'
  | 'bytes_contents';

/** How JSON carries an element: a float, a bounded integer, a 64-bit integer, a boolean, a string, or not at all. */
export type JsonKind = 'float' | 'integer' | 'bigint' | 'bool' | 'bytes' | 'none';

interface Row {
  v2: string;
  onnx: number;
  array: TypedArrayConstructor | null;
  contents: ContentsField | null;
  json: JsonKind;
  /** Inclusive value range of integer types (bigint for the 64-bit ones). */
  range?: readonly [number, number] | readonly [bigint, bigint];
}

type TypedArrayConstructor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Uint16ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Uint8ArrayConstructor
  | Uint32ArrayConstructor
  | BigUint64ArrayConstructor;

export const DATATYPES = {
  float32: { v2: 'FP32', onnx: 1, array: Float32Array, contents: 'fp32_contents', json: 'float' },
  float64: { v2: 'FP64', onnx: 11, array: Float64Array, contents: 'fp64_contents', json: 'float' },
  float16: { v2: 'FP16', onnx: 10, array: Uint16Array, contents: null, json: 'none' },
  int8: { v2: 'INT8', onnx: 3, array: Int8Array, contents: 'int_contents', json: 'integer', range: [-128, 127] },
  int16: { v2: 'INT16', onnx: 5, array: Int16Array, contents: 'int_contents', json: 'integer', range: [-32768, 32767] },
  int32: {
    v2: 'INT32',
    onnx: 6,
    array: Int32Array,
    contents: 'int_contents',
    json: 'integer',
    range: [-2147483648, 2147483647],
  },
  int64: {
    v2: 'INT64',
    onnx: 7,
    array: BigInt64Array,
    contents: 'int64_contents',
    json: 'bigint',
    range: [-(2n ** 63n), 2n ** 63n - 1n],
  },
  uint8: { v2: 'UINT8', onnx: 2, array: Uint8Array, contents: 'uint_contents', json: 'integer', range: [0, 255] },
  uint16: { v2: 'UINT16', onnx: 4, array: Uint16Array, contents: 'uint_contents', json: 'integer', range: [0, 65535] },
  uint32: { v2: 'UINT32', onnx: 12, array: Uint32Array, contents: 'uint_contents', json: 'integer', range: [0, 4294967295] },
  uint64: { v2: 'UINT64', onnx: 13, array: BigUint64Array, contents: 'uint64_contents', json: 'bigint', range: [0n, 2n ** 64n - 1n] },
  bool: { v2: 'BOOL', onnx: 9, array: Uint8Array, contents: 'bool_contents', json: 'bool' },
  string: { v2: 'BYTES', onnx: 8, array: null, contents: 'bytes_contents', json: 'bytes' },
} as const satisfies Record<string, Row>;

type Table = typeof DATATYPES;

/** Element types, spelled as onnxruntime-node spells them. */
export type TensorType = keyof Table;

/** Element types held in a typed array (all but `string`). */
export type NumericTensorType = { [T in TensorType]: Table[T]['array'] extends null ? never : T }[TensorType];

/** Open Inference Protocol datatype names. */
export type V2Datatype = Table[TensorType]['v2'];

export const TENSOR_TYPES = Object.keys(DATATYPES) as TensorType[];

/** The typed array of each numeric type (float16 as its raw bits, bool as 0/1 bytes). */
export const TYPED_ARRAY_OF = Object.fromEntries(
  TENSOR_TYPES.filter((type) => DATATYPES[type].array !== null).map((type) => [type, DATATYPES[type].array]),
) as { readonly [T in NumericTensorType]: Table[T]['array'] };

const FROM_V2: ReadonlyMap<string, TensorType> = new Map(TENSOR_TYPES.map((type) => [DATATYPES[type].v2, type]));
const FROM_ONNX: ReadonlyMap<number, TensorType> = new Map(TENSOR_TYPES.map((type) => [DATATYPES[type].onnx, type]));

/** The V2 names, for error messages. */
export const V2_DATATYPE_NAMES: string = TENSOR_TYPES.map((type) => DATATYPES[type].v2).join(', ');

export function isTensorType(value: unknown): value is TensorType {
  return typeof value === 'string' && Object.hasOwn(DATATYPES, value);
}

export function isNumericType(type: TensorType): type is NumericTensorType {
  return DATATYPES[type].array !== null;
}

export function toV2Datatype(type: TensorType): V2Datatype {
  return DATATYPES[type].v2;
}

/** The tensor type of a V2 datatype name, or undefined when the name is unknown. */
export function fromV2Datatype(datatype: string): TensorType | undefined {
  return FROM_V2.get(datatype);
}

/** The ONNX `TensorProto.DataType` code of a type. */
export function onnxDataTypeOf(type: TensorType): number {
  return DATATYPES[type].onnx;
}

/** The type of an ONNX `DataType` code, or undefined when Proton does not carry it. */
export function tensorTypeOfOnnx(code: number): TensorType | undefined {
  return FROM_ONNX.get(code);
}

/** Bytes per element of a numeric type. */
export function bytesPerElement(type: NumericTensorType): number {
  return TYPED_ARRAY_OF[type].BYTES_PER_ELEMENT;
}

/** The gRPC typed-contents field of a type; null for FP16, which has none. */
export function contentsFieldOf(type: TensorType): ContentsField | null {
  return DATATYPES[type].contents;
}

/** How JSON carries a type's elements. */
export function jsonKindOf(type: TensorType): JsonKind {
  return DATATYPES[type].json;
}

/** The inclusive value range of an integer type, undefined for others. */
export function integerRangeOf(type: TensorType): readonly [number, number] | readonly [bigint, bigint] | undefined {
  const row: Row = DATATYPES[type];
  return row.range;
}
