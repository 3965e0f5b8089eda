import { fromV2Datatype } from '../protocol/datatypes';
import { type TensorType } from '../protocol/datatypes';
import { elementCount, type Tensor, type TensorData } from '../protocol/tensor';
import type { ModelSpec, TensorSpec } from './model-spec';
import { seededRandom } from '../seeded-random';

/**
 * Random request inputs generated from a model's metadata: every variable dimension becomes 1,
 * values come from a seeded generator so a run can be repeated exactly.
 */

/** A tensor with the name of the model input it feeds. */
export type NamedTensor = Tensor & { name: string };

/** Integers are drawn from [0, 10): small non-negative values are also valid indices for Gather-like inputs. */
const INTEGER_RANGE = 10;

/** One tensor per model input, in metadata order. */
export function generateInputs(spec: ModelSpec, seed: number): NamedTensor[] {
  const random = seededRandom(seed);
  return spec.inputs.map((input) => generateTensor(input, random, spec.name));
}

/** The concrete shape a client sends for a metadata shape: variable dimensions (-1) become 1. */
export function concreteShape(shape: readonly number[]): number[] {
  return shape.map((dim) => (dim < 0 ? 1 : dim));
}

function generateTensor(input: TensorSpec, random: () => number, model: string): NamedTensor {
  const type = fromV2Datatype(input.datatype);
  if (type === undefined) {
    throw new Error(`model '${model}': input '${input.name}' has datatype ${input.datatype}, which the client cannot generate`);
  }
  const dims = concreteShape(input.shape);
  return { name: input.name, type, dims, data: randomData(type, elementCount(dims), random) } as NamedTensor;
}

function randomData(type: TensorType, count: number, random: () => number): TensorData {
  const integer = (): number => Math.floor(random() * INTEGER_RANGE);
  switch (type) {
    case 'float32':
      return Float32Array.from({ length: count }, random);
    case 'float64':
      return Float64Array.from({ length: count }, random);
    case 'float16':
      // Half-precision bits of a normal number in [2^-14, 1): exponent 1..14, random mantissa.
      return Uint16Array.from({ length: count }, () => ((1 + Math.floor(random() * 14)) << 10) | Math.floor(random() * 1024));
    case 'bool':
      return Uint8Array.from({ length: count }, () => (random() < 0.5 ? 0 : 1));
    case 'int8':
      return Int8Array.from({ length: count }, integer);
    case 'int16':
      return Int16Array.from({ length: count }, integer);
    case 'int32':
      return Int32Array.from({ length: count }, integer);
    case 'int64':
      return BigInt64Array.from({ length: count }, () => BigInt(integer()));
    case 'uint8':
      return Uint8Array.from({ length: count }, integer);
    case 'uint16':
      return Uint16Array.from({ length: count }, integer);
    case 'uint32':
      return Uint32Array.from({ length: count }, integer);
    case 'uint64':
      return BigUint64Array.from({ length: count }, () => BigInt(integer()));
    case 'string':
      return Array.from({ length: count }, () => randomWord(random));
  }
}

function randomWord(random: () => number): string {
  const length = 1 + Math.floor(random() * 8);
  let word = '';
  for (let i = 0; i < length; i++) word += String.fromCharCode(97 + Math.floor(random() * 26));
  return word;
}
