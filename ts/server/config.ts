import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ModelLoadOptions } from '../model-types';
import type { ModelControlMode } from '../repository/model-repository';
import { LIMIT_SETTINGS, type Limits } from '../protocol/limits';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger';

/** One model to serve. */
export interface ModelConfig {
  /** Name in URLs and requests. */
  name: string;
  /** Absolute path of the .onnx file. */
  path: string;
  /** Options for `Model.load`, from the model entry and the server-level defaults. */
  options: ModelLoadOptions;
}

/** A validated, normalized server configuration. */
export interface ServerConfig {
  host: string;
  /** REST port; 0 picks a free one. */
  port: number;
  /** gRPC port; 0 picks a free one. */
  grpcPort: number;
  /** Largest request body the REST front-end accepts (413 beyond). */
  maxBodyBytes: number;
  /** Request limits beyond the body size (see ts/protocol/limits.ts); unset keys take the defaults. */
  limits?: Partial<Limits>;
  logLevel: LogLevel;
  /** Observability: log format (default: text on a terminal, JSON otherwise) and a separate `/metrics` port (default: none). */
  logFormat?: LogFormat;
  metricsPort?: number;
  models: ModelConfig[];
  /** Triton-layout model repositories feeding the same registry (`--model-repository`). */
  repository?: RepositoryConfig;
}

/** `--model-repository` and its control flags. */
export interface RepositoryConfig {
  roots: string[];
  controlMode: ModelControlMode;
  /** Explicit mode: models loaded at start; `['*']` for all. */
  loadModels: string[];
  /** Poll mode: seconds between scans. */
  pollSecs?: number;
  /** When set, load and unload requests need `Authorization: Bearer <token>`. */
  token?: string;
  /** Served name -> model folder (`--model-dir` serving a one-model repository as `--model-name`). */
  aliases?: Record<string, string>;
}

/** A configuration mistake; `issues` name each offending key and why. */
export class ConfigError extends Error {
  readonly issues: string[];

  constructor(source: string, issues: string[]) {
    super(`invalid configuration (${source}):\n${issues.map((issue) => `  ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_PORT = 8080;
export const DEFAULT_GRPC_PORT = 50051;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

const positiveInt = () =>
  z.int({ error: 'expected a positive integer' }).positive({ error: 'expected a positive integer' });
const nonNegativeInt = () =>
  z.int({ error: 'expected a non-negative integer' }).min(0, { error: 'expected a non-negative integer' });
const port = () =>
  z
    .int({ error: 'expected a port number (0 to 65535)' })
    .min(0, { error: 'expected a port number (0 to 65535)' })
    .max(65535, { error: 'expected a port number (0 to 65535)' });
const requiredString = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'required' : `expected ${what}`) })
    .min(1, { error: `expected ${what}` });

const SERVER_SHAPE = {
  num_threads: positiveInt().optional(),
  buffer_size: positiveInt().optional(),
  port: port().optional(),
  grpc_port: port().optional(),
  host: requiredString('a host name or address').optional(),
  max_body_bytes: positiveInt().optional(),
  metrics_port: port().optional(),
};

const MODEL_SHAPE = {
  name: requiredString('a model name').regex(/^[^/\s]+$/, { error: 'expected a name without "/" or spaces' }),
  path: requiredString('a path to an .onnx file'),
  num_threads: positiveInt().optional(),
  buffer_size: positiveInt().optional(),
  max_batch_size: nonNegativeInt().optional(),
  preferred_batch_sizes: z.array(positiveInt(), { error: 'expected a list of positive integers' }).optional(),
  max_queue_delay_us: nonNegativeInt().optional(),
  instances: positiveInt().optional(),
};

// Request limits (ts/protocol/limits.ts): one optional positive integer per key.
const LIMITS_SHAPE = Object.fromEntries(LIMIT_SETTINGS.map((setting) => [setting.yaml, positiveInt().optional()])) as Record<
  string,
  z.ZodOptional<ReturnType<typeof positiveInt>>
>;

const TOP_SHAPE = {
  server: z.strictObject(SERVER_SHAPE, { error: 'expected a mapping' }).optional(),
  limits: z.strictObject(LIMITS_SHAPE, { error: 'expected a mapping of limits' }).optional(),
  log_level: z
    .string({ error: `expected one of ${LOG_LEVELS.join(', ')}` })
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }))
    .optional(),
  log_format: z.enum(LOG_FORMATS, { error: `expected one of ${LOG_FORMATS.join(', ')}` }).optional(),
  models: z
    .array(z.strictObject(MODEL_SHAPE, { error: 'expected a mapping with name and path' }), {
      error: (issue) => (issue.input === undefined ? 'required' : 'expected a list of models'),
    })
    .min(1, { error: 'expected at least one model' }),
};

const CONFIG_SCHEMA = z.strictObject(TOP_SHAPE, { error: 'expected a mapping with server, log_level and models' });

/** The keys each level allows, for "unknown key" messages. */
function allowedKeys(at: ReadonlyArray<PropertyKey>): string[] {
  if (at.length === 0) return Object.keys(TOP_SHAPE);
  if (at[0] === 'limits') return Object.keys(LIMITS_SHAPE);
  return Object.keys(at[0] === 'server' ? SERVER_SHAPE : MODEL_SHAPE);
}

/** Formats a key path the way a reader of the YAML thinks of it: `models[0].buffer_size`. */
function keyPath(at: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of at) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(top level)' : out;
}

function describeIssues(error: z.ZodError): string[] {
  const issues: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(issue.path).join(', ');
      for (const key of issue.keys) issues.push(`${keyPath([...issue.path, key])}: unknown key (allowed: ${allowed})`);
    } else {
      issues.push(`${keyPath(issue.path)}: ${issue.message}`);
    }
  }
  return issues;
}

/**
 * Validates a parsed configuration document; relative model paths resolve against `baseDir`.
 * @throws ConfigError naming every offending key
 */
export function parseConfig(document: unknown, baseDir: string, source = 'configuration'): ServerConfig {
  const parsed = CONFIG_SCHEMA.safeParse(document);
  if (!parsed.success) throw new ConfigError(source, describeIssues(parsed.error));
  const { server = {}, log_level: logLevel = 'INFO', log_format: logFormat, models, limits: limitEntries = {} } = parsed.data;
  const limits: Partial<Limits> = {};
  for (const setting of LIMIT_SETTINGS) {
    const value = (limitEntries as Record<string, number | undefined>)[setting.yaml];
    if (value !== undefined) limits[setting.key] = value;
  }

  const issues: string[] = [];
  const seen = new Set<string>();
  const resolved = models.map((entry, index): ModelConfig => {
    if (seen.has(entry.name)) issues.push(`models[${index}].name: duplicate model name '${entry.name}'`);
    seen.add(entry.name);
    const file = path.resolve(baseDir, entry.path);
    if (!existsSync(file)) issues.push(`models[${index}].path: no such file: ${file}`);
    return { name: entry.name, path: file, options: loadOptions(entry, server) };
  });
  if (issues.length > 0) throw new ConfigError(source, issues);

  return {
    host: server.host ?? DEFAULT_HOST,
    port: server.port ?? DEFAULT_PORT,
    grpcPort: server.grpc_port ?? DEFAULT_GRPC_PORT,
    maxBodyBytes: server.max_body_bytes ?? DEFAULT_MAX_BODY_BYTES,
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    logLevel,
    ...(logFormat !== undefined ? { logFormat } : {}),
    ...(server.metrics_port !== undefined ? { metricsPort: server.metrics_port } : {}),
    models: resolved,
  };
}

type ModelEntry = z.infer<z.ZodObject<typeof MODEL_SHAPE>>;
type ServerEntry = z.infer<z.ZodObject<typeof SERVER_SHAPE>>;

/** Maps a model entry (falling back on the server-level defaults) to `Model.load` options. */
function loadOptions(entry: ModelEntry, server: ServerEntry): ModelLoadOptions {
  const options: ModelLoadOptions = {};
  const threads = entry.num_threads ?? server.num_threads;
  const capacity = entry.buffer_size ?? server.buffer_size;
  if (threads !== undefined) options.intraOpNumThreads = threads;
  if (capacity !== undefined) options.queueCapacity = capacity;
  if (entry.max_batch_size !== undefined) options.maxBatchSize = entry.max_batch_size;
  if (entry.preferred_batch_sizes !== undefined) options.preferredBatchSizes = entry.preferred_batch_sizes;
  if (entry.max_queue_delay_us !== undefined) options.maxQueueDelayUs = entry.max_queue_delay_us;
  if (entry.instances !== undefined) options.instances = entry.instances;
  return options;
}

/**
 * Reads and validates a YAML configuration file.
 * @throws ConfigError for unreadable files, YAML syntax errors and schema violations
 */
export function loadConfig(file: string): ServerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ConfigError(file, [`YAML syntax error: ${(error as Error).message}`]);
  }
  return parseConfig(document, path.dirname(path.resolve(file)), file);
}

/**
 * The configuration `npm start` uses without a file: the given models (name -> path) on the
 * original Proton's ports.
 */
export function defaultConfig(models: Readonly<Record<string, string>>): ServerConfig {
  return {
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    grpcPort: DEFAULT_GRPC_PORT,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    logLevel: 'INFO',
    models: Object.entries(models).map(([name, file]) => ({
      name,
      path: path.resolve(file),
      options: { intraOpNumThreads: 1 },
    })),
  };
}
