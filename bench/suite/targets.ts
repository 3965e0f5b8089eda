import { formatCpuUs, formatThroughput } from '../common/format';
import { TINY_MODEL } from '../common/models';
import { checkTarget, type TargetResult } from '../common/targets';
import { GENERATOR_LABELS, type ClientId, type ServerId } from './variants';
import { ratio, type ComparisonRow } from './comparison';

interface Side {
  server: ServerId;
  client: ClientId;
  label: string;
}

const PROTON_BINARY: Side = { server: 'proton', client: 'rest-binary', label: 'Proton REST binary' };
const PROTON_GRPC: Side = { server: 'proton', client: 'grpc', label: 'Proton gRPC' };
const ORT_CEILING: Side = { server: 'ort-ceiling', client: 'in-process', label: 'raw ORT loop' };
const HTTP_CEILING: Side = { server: 'http-ceiling', client: 'rest-binary', label: 'HTTP ceiling (binary body)' };
const GRPC_CEILING: Side = { server: 'grpc-ceiling', client: 'grpc', label: 'grpc-js ceiling' };
const JS_WORKER_BINARY: Side = { server: 'js-worker', client: 'rest-binary', label: 'JS worker path REST binary' };

/** Issue 13's per-request cells: the tiny model at 64 connections; SqueezeNet served at concurrency 10. */
export const TINY_CONCURRENCY = 64;
export const SQUEEZENET_CONCURRENCY = 10;

/** The suite's targets (issue 13, and issue 4's SqueezeNet ones), from the rows of this run. */
export function evaluateTargets(rows: readonly ComparisonRow[]): TargetResult[] {
  const find = (s: Side, model: string, concurrency: number) =>
    rows.find((row) => row.server === s.server && row.client === s.client && row.model === model && row.concurrency === concurrency);
  const missing = (side: Side, base: Side, a: ComparisonRow | undefined, concurrency: number): string =>
    `${a === undefined ? side.label : base.label} not measured at concurrency ${concurrency}`;
  const throughputTarget = (target: string, model: string, concurrency: number, side: Side, base: Side, threshold: number): TargetResult => {
    const a = find(side, model, concurrency);
    const b = find(base, model, concurrency);
    const measured =
      a === undefined || b === undefined
        ? missing(side, base, a, concurrency)
        : `${side.label} ${formatThroughput(a.throughput)} req/s vs ${base.label} ${formatThroughput(b.throughput)} req/s (${loadOf(a, b)})`;
    return checkTarget(target, a === undefined ? undefined : ratio(a, b), threshold, 'at-least', measured);
  };
  const cpuTarget = (target: string, model: string, concurrency: number, side: Side, base: Side, threshold: number): TargetResult => {
    const a = find(side, model, concurrency);
    const b = find(base, model, concurrency);
    const known = a?.serverCpuUsPerRequest !== undefined && b?.serverCpuUsPerRequest !== undefined && b.serverCpuUsPerRequest > 0;
    const measured =
      a === undefined || b === undefined
        ? missing(side, base, a, concurrency)
        : `${side.label} ${formatCpuUs(a.serverCpuUsPerRequest)} µs vs ${base.label} ${formatCpuUs(b.serverCpuUsPerRequest)} µs of server CPU per request`;
    return checkTarget(target, known ? a.serverCpuUsPerRequest! / b.serverCpuUsPerRequest! : undefined, threshold, 'at-most', measured);
  };
  const tiny = TINY_MODEL;
  const c = TINY_CONCURRENCY;
  const s = SQUEEZENET_CONCURRENCY;
  return [
    throughputTarget(`${tiny}, ${c} connections: Proton REST binary ≥ 0.75x the HTTP ceiling`, tiny, c, PROTON_BINARY, HTTP_CEILING, 0.75),
    throughputTarget(`${tiny}, ${c} connections: Proton REST binary ≥ 1.4x the JS worker path`, tiny, c, PROTON_BINARY, JS_WORKER_BINARY, 1.4),
    cpuTarget(`${tiny}, ${c} connections: Proton's server CPU per request ≤ 1.6x the HTTP ceiling's`, tiny, c, PROTON_BINARY, HTTP_CEILING, 1.6),
    throughputTarget(`${tiny}, ${c} in flight: Proton gRPC ModelInfer ≥ 0.8x the grpc-js ceiling`, tiny, c, PROTON_GRPC, GRPC_CEILING, 0.8),
    throughputTarget(`SqueezeNet, c=${s}: Proton REST binary within 5% of the raw ORT loop`, 'squeezenet', s, PROTON_BINARY, ORT_CEILING, 0.95),
    throughputTarget(`SqueezeNet, c=${s}: Proton gRPC within 5% of the raw ORT loop`, 'squeezenet', s, PROTON_GRPC, ORT_CEILING, 0.95),
    throughputTarget(`SqueezeNet, c=${s}: Proton REST binary within 10% of gRPC`, 'squeezenet', s, PROTON_BINARY, PROTON_GRPC, 0.9),
  ];
}

/** Which load generators measured the two cells, so a target read off the node clients says so. */
function loadOf(a: ComparisonRow, b: ComparisonRow): string {
  const generators = [...new Set([a.generator, b.generator])].map((generator) => GENERATOR_LABELS[generator]);
  return `load: ${generators.join(' / ')}`;
}

/**
 * Notes for cells whose server kept up with its protocol ceiling under the node clients: there the
 * ceiling measures the load generator, not the server, and the targets say little.
 */
export function loadGeneratorNotes(rows: readonly ComparisonRow[]): string[] {
  const bound = rows.filter((row) => row.generator === 'clients' && row.vsProtocolCeiling !== undefined && row.vsProtocolCeiling >= 0.9);
  if (bound.length === 0) return [];
  const cells = bound.map((row) => `${row.server} ${row.client} ${row.model} c=${row.concurrency}`).join(', ');
  return [
    `${bound.length} cell(s) reached at least 90% of their protocol ceiling under the node clients (${cells}): the clients' load loop, ` +
      'not the server, was the limit there. `--load native` (the default) drives the small models and SqueezeNet with wrk and h2load.',
  ];
}
