import { ProtonError } from '../errors';

/** Where a ModelConfig came from, so that errors can point into it. */
export interface ConfigSource {
  /** A file path (config.pbtxt), or a description such as "load request parameters.config". */
  readonly file: string;
  /** The text-format source, when there is one: lets errors name a line. */
  readonly text?: string;
}

/**
 * An INVALID_ARGUMENT for a field that parsed but that Proton cannot apply, e.g.
 * `models/a/config.pbtxt:7: instance_group[0].kind: KIND_GPU is not supported (Proton runs on CPU)`.
 * `leaf` is the field's own name, used to find its line in the text.
 */
export function configIssue(source: ConfigSource, path: string, message: string, value?: string): ProtonError {
  const leaf = path.replace(/\[\d+\]|\["[^"]*"\]/g, '').split('.').pop() ?? path;
  const line = fieldLine(source.text, leaf, value);
  const where = line === undefined ? source.file : `${source.file}:${line}`;
  return new ProtonError('INVALID_ARGUMENT', `${where}: ${path}: ${message}`);
}

/**
 * Best-effort line of a field in config text: the first line where `field` appears as a field
 * name, preferring one that also holds `value`.
 */
function fieldLine(text: string | undefined, field: string, value?: string): number | undefined {
  if (text === undefined) return undefined;
  const name = new RegExp(`(^|[\\s{\\[,<])${field}\\s*[:{<\\[]`);
  const lines = text.split('\n').map((line) => line.replace(/#.*$/, ''));
  let found = value === undefined ? -1 : lines.findIndex((line) => name.test(line) && line.includes(value));
  if (found < 0) found = lines.findIndex((line) => name.test(line));
  return found >= 0 ? found + 1 : undefined;
}
