import { SMALL_MODELS } from './bench-models';
import { ratio, type ComparisonRow } from './comparison';
import { formatThroughput } from './format';
import type { ClientId, ServerId } from './variants';

/** One of the targets, as measured in this run. */
export interface TargetResult {
  target: string;
  /** The two throughputs compared, in words. */
  measured: string;
  /** measured ratio; undefined when a side was not measured. */
  ratio: number | undefined;
  /** The ratio must be at least this. */
  threshold: number;
  status: 'met' | 'missed' | 'not measured';
}

interface Side {
  server: ServerId;
  client: ClientId;
  label: string;
}

const PROTON_BINARY: Side = { server: 'proton', client: 'rest-binary', label: 'Proton REST binary' };
const PROTON_GRPC: Side = { server: 'proton', client: 'grpc', label: 'Proton gRPC' };
const ORT_CEILING: Side = { server: 'ort-ceiling', client: 'in-process', label: 'ORT ceiling' };
const HTTP_CEILING: Side = { server: 'http-ceiling', client: 'rest-binary', label: 'HTTP ceiling (binary body)' };
const JS_WORKER_BINARY: Side = { server: 'js-worker', client: 'rest-binary', label: 'JS worker path REST binary' };

/** The targets: SqueezeNet at concurrency 10, the small model at concurrency 64. */
export function evaluateTargets(rows: readonly ComparisonRow[]): TargetResult[] {
  const small = SMALL_MODELS.find((model) => rows.some((row) => row.model === model)) ?? SMALL_MODELS[0]!;
  const check = (target: string, model: string, concurrency: number, side: Side, base: Side, threshold: number): TargetResult => {
    const find = (s: Side) => rows.find((row) => row.server === s.server && row.client === s.client && row.model === model && row.concurrency === concurrency);
    const a = find(side);
    const b = find(base);
    const value = a === undefined ? undefined : ratio(a, b);
    const measured =
      a === undefined || b === undefined
        ? `${a === undefined ? side.label : base.label} not measured at concurrency ${concurrency}`
        : `${side.label} ${formatThroughput(a.throughput)} req/s vs ${base.label} ${formatThroughput(b.throughput)} req/s`;
    const status = value === undefined ? 'not measured' : value >= threshold ? 'met' : 'missed';
    return { target, measured, ratio: value, threshold, status };
  };
  return [
    check('SqueezeNet, c=10: Proton REST binary ≥ 95% of the ORT ceiling', 'squeezenet', 10, PROTON_BINARY, ORT_CEILING, 0.95),
    check('SqueezeNet, c=10: Proton gRPC ≥ 95% of the ORT ceiling', 'squeezenet', 10, PROTON_GRPC, ORT_CEILING, 0.95),
    check('SqueezeNet, c=10: Proton REST binary within 10% of gRPC', 'squeezenet', 10, PROTON_BINARY, PROTON_GRPC, 0.9),
    check(`${small}, c=64: Proton REST binary ≥ 50% of the HTTP ceiling`, small, 64, PROTON_BINARY, HTTP_CEILING, 0.5),
    check(`${small}, c=64: Proton REST binary ≥ 2x the JS worker path`, small, 64, PROTON_BINARY, JS_WORKER_BINARY, 2),
  ];
}

/**
 * Notes for cells whose server kept up with the HTTP ceiling: there the ceiling measures the load
 * generator (the parent's node:http client), not uWebSockets.js, and the REST targets say little.
 */
export function loadGeneratorNotes(rows: readonly ComparisonRow[]): string[] {
  const bound = rows.filter((row) => row.generator === 'clients' && row.vsHttpCeiling !== undefined && row.vsHttpCeiling >= 0.9);
  if (bound.length === 0) return [];
  const cells = bound.map((row) => `${row.server} ${row.client} ${row.model} c=${row.concurrency}`).join(', ');
  return [
    `${bound.length} REST cell(s) reached at least 90% of the HTTP ceiling (${cells}): the clients' load loop, ` +
      'not the server, was the limit there. `--http-load wrk` drives the small models with wrk to measure the servers themselves.',
  ];
}
