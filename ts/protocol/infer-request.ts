import { ProtonError } from '../errors';
import { V2_DATATYPE_NAMES, fromV2Datatype, type TensorType } from './datatypes';

/** One input of a V2 infer request, checked for structure (not yet against the model). */
export interface V2InputSpec {
  name: string;
  type: TensorType;
  shape: number[];
  /** JSON data, flat or nested; undefined when the tensor travels in the binary section. */
  data: unknown;
  /** Byte length in the binary section (binary tensor extension). */
  binarySize: number | undefined;
}

/** One requested output. */
export interface V2OutputSpec {
  name: string;
  /** Per-output `binary_data`; undefined falls back on the request's `binary_data_output`. */
  binary: boolean | undefined;
}

/** A V2 infer request header, structurally valid. */
export interface V2InferRequest {
  id: string | undefined;
  inputs: V2InputSpec[];
  /** Requested outputs; undefined means all. */
  outputs: V2OutputSpec[] | undefined;
  /** Request-level `binary_data_output`. */
  binaryOutput: boolean;
  /** Request-level `timeout` (Triton: microseconds), in milliseconds. */
  timeoutMs: number | undefined;
}

function invalid(message: string): ProtonError {
  return new ProtonError('INVALID_ARGUMENT', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parameters(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isObject(value)) throw invalid(`${what}parameters must be an object`);
  return value;
}

function optionalBool(params: Record<string, unknown>, key: string, what: string): boolean | undefined {
  const value = params[key];
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalid(`${what}parameters.${key} must be a boolean`);
}

/**
 * Checks the structure of a parsed V2 infer request.
 * @throws ProtonError INVALID_ARGUMENT naming the field and the problem
 */
export function parseInferRequest(json: unknown): V2InferRequest {
  if (!isObject(json)) throw invalid('request body must be a JSON object');
  const { id } = json;
  if (id !== undefined && typeof id !== 'string') throw invalid('id must be a string');

  const params = parameters(json.parameters, '');
  const timeout = params.timeout;
  if (timeout !== undefined && !isCount(timeout)) throw invalid('parameters.timeout must be a non-negative integer (microseconds)');
  const binaryOutput = optionalBool(params, 'binary_data_output', '') ?? false;

  if (!Array.isArray(json.inputs)) throw invalid('inputs must be an array of tensors');
  const seen = new Set<string>();
  const inputs = json.inputs.map((input: unknown, index: number) => {
    const spec = parseInput(input, index);
    if (seen.has(spec.name)) throw invalid(`input '${spec.name}' appears twice`);
    seen.add(spec.name);
    return spec;
  });

  let outputs: V2OutputSpec[] | undefined;
  if (json.outputs !== undefined) {
    if (!Array.isArray(json.outputs)) throw invalid('outputs must be an array');
    const requested = new Set<string>();
    outputs = json.outputs.map((output: unknown, index: number) => {
      const spec = parseOutput(output, index);
      if (requested.has(spec.name)) throw invalid(`output '${spec.name}' is requested twice`);
      requested.add(spec.name);
      return spec;
    });
  }

  return {
    id: id === '' ? undefined : id,
    inputs,
    outputs,
    binaryOutput,
    timeoutMs: timeout === undefined || timeout === 0 ? undefined : timeout / 1000,
  };
}

function parseInput(input: unknown, index: number): V2InputSpec {
  if (!isObject(input)) throw invalid(`inputs[${index}] must be an object`);
  const { name, datatype, shape, data } = input;
  if (typeof name !== 'string' || name === '') throw invalid(`inputs[${index}].name must be a non-empty string`);
  const what = `input '${name}'`;
  if (typeof datatype !== 'string') throw invalid(`${what}: datatype must be a string`);
  const type = fromV2Datatype(datatype);
  if (type === undefined) throw invalid(`${what}: unknown datatype '${datatype}' (expected one of ${V2_DATATYPE_NAMES})`);
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw invalid(`${what}: shape must be an array of non-negative integers`);
  }
  const params = parameters(input.parameters, `${what}: `);
  if (params.shared_memory_region !== undefined) throw invalid(`${what}: shared memory is not supported`);
  const binarySize = params.binary_data_size;
  if (binarySize !== undefined) {
    if (!isCount(binarySize)) throw invalid(`${what}: parameters.binary_data_size must be a non-negative integer`);
    if (data !== undefined) throw invalid(`${what}: has both data and binary_data_size`);
  } else if (data === undefined) {
    throw invalid(`${what}: has neither data nor parameters.binary_data_size`);
  }
  return { name, type, shape: shape as number[], data, binarySize };
}

function parseOutput(output: unknown, index: number): V2OutputSpec {
  if (!isObject(output)) throw invalid(`outputs[${index}] must be an object`);
  const { name } = output;
  if (typeof name !== 'string' || name === '') throw invalid(`outputs[${index}].name must be a non-empty string`);
  const what = `output '${name}': `;
  const params = parameters(output.parameters, what);
  if (params.classification !== undefined) throw invalid(`${what}the classification extension is not supported`);
  if (params.shared_memory_region !== undefined) throw invalid(`${what}shared memory is not supported`);
  return { name, binary: optionalBool(params, 'binary_data', what) };
}
