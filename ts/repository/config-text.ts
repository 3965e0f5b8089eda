import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { fromText } from '@bufbuild/protobuf/txtpb';

import { ProtonError } from '../errors';
import { ModelConfigSchema, type ModelConfig } from '../gen/model_config_pb';

/** Largest config.pbtxt Proton reads: real ones are a few KiB. */
export const MAX_CONFIG_BYTES = 1 << 20;

/**
 * Parses a Triton `config.pbtxt` against Proton's ModelConfig subset. A field outside the subset,
 * an unknown enum value or a syntax error is an INVALID_ARGUMENT naming `file` and the line.
 */
export function parseConfigText(text: string, file: string): ModelConfig {
  if (text.length > MAX_CONFIG_BYTES) {
    throw new ProtonError('INVALID_ARGUMENT', `${file}: larger than ${MAX_CONFIG_BYTES} bytes`);
  }
  try {
    return fromText(ModelConfigSchema, text);
  } catch (error) {
    const message = (error as Error).message;
    const line = errorLine(text, message);
    throw new ProtonError('INVALID_ARGUMENT', `${file}:${line}: ${explain(message)}`);
  }
}

/**
 * Parses a ModelConfig in JSON (the `parameters.config` of a load request); proto field names and
 * lowerCamelCase both work, unknown fields are refused.
 */
export function parseConfigJson(json: string, source: string): ModelConfig {
  if (json.length > MAX_CONFIG_BYTES) throw new ProtonError('INVALID_ARGUMENT', `${source}: larger than ${MAX_CONFIG_BYTES} bytes`);
  let value: JsonValue;
  try {
    value = JSON.parse(json) as JsonValue;
  } catch (error) {
    throw new ProtonError('INVALID_ARGUMENT', `${source}: malformed JSON: ${(error as Error).message}`);
  }
  try {
    return fromJson(ModelConfigSchema, value);
  } catch (error) {
    throw new ProtonError('INVALID_ARGUMENT', `${source}: ${explain((error as Error).message)}`);
  }
}

function explain(message: string): string {
  return /^unknown field/.test(message) || /^cannot decode field .* unknown field/.test(message)
    ? `${message} (Proton does not support this field)`
    : message;
}

/**
 * The line the text-format parser failed on. The parser reads tokens in order and does not report
 * positions, so: a prefix of whole lines fails with the same message exactly when it contains the
 * failing token (shorter prefixes end first, with a different error or none). Binary search finds it.
 */
function errorLine(text: string, message: string): number {
  const lines = text.split('\n');
  let low = 1;
  let high = lines.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (failsWith(lines.slice(0, middle).join('\n'), message)) high = middle;
    else low = middle + 1;
  }
  return low;
}

function failsWith(text: string, message: string): boolean {
  try {
    fromText(ModelConfigSchema, text);
    return false;
  } catch (error) {
    return (error as Error).message === message;
  }
}
