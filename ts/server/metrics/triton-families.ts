import type { Registry } from 'prom-client';
import type { ModelStatistics, PhaseTotal } from '../../model-types';
import { histogramSamples, LATENCY_BUCKETS } from './bucket-histogram';
import { registerCollected, type Sample } from './collected-family';
import type { VersionSnapshot } from './scrape-snapshot';

type Pick = (stats: ModelStatistics) => number;
const micros = (pick: (stats: ModelStatistics) => PhaseTotal): Pick => (stats) => Math.floor(pick(stats).ns / 1000);

/** Triton's per-model families, names, types and `{model, version}` labels unchanged. */
const TRITON_FAMILIES: ReadonlyArray<readonly [string, 'counter' | 'gauge', string, Pick]> = [
  ['nv_inference_request_success', 'counter', 'Number of successful inference requests, all batch sizes', (s) => s.inferenceStats.success.count],
  ['nv_inference_count', 'counter', 'Number of inferences performed (a request of batch size b counts b)', (s) => s.inferences],
  ['nv_inference_exec_count', 'counter', 'Number of model executions performed (dynamic batching runs several requests in one)', (s) => s.executions],
  ['nv_inference_pending_request_count', 'gauge', 'Instantaneous number of pending requests awaiting execution per-model', (s) => s.pending],
  ['nv_inference_request_duration_us', 'counter', 'Cumulative inference request duration in microseconds (successful requests, queue and compute)', micros((s) => s.inferenceStats.success)],
  ['nv_inference_queue_duration_us', 'counter', 'Cumulative inference queuing duration in microseconds', micros((s) => s.inferenceStats.queue)],
  ['nv_inference_compute_input_duration_us', 'counter', 'Cumulative compute input duration in microseconds', micros((s) => s.inferenceStats.computeInput)],
  ['nv_inference_compute_infer_duration_us', 'counter', 'Cumulative compute inference duration in microseconds', micros((s) => s.inferenceStats.computeInfer)],
  ['nv_inference_compute_output_duration_us', 'counter', 'Cumulative inference compute output duration in microseconds', micros((s) => s.inferenceStats.computeOutput)],
];

/** Batch size buckets: powers of two up to Triton's practical maximum. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** Proton's per-phase histograms, timed and bucketed in the model threads. */
const PHASE_HISTOGRAMS: ReadonlyArray<readonly [string, string, keyof ModelStatistics['latencyHistograms']]> = [
  ['proton_queue_duration_seconds', 'Successful inference requests: accepted by the model until its execution started, in seconds.', 'queue'],
  ['proton_compute_infer_duration_seconds', "Successful inference requests: ONNX Runtime's Run of the execution that served the request, in seconds.", 'computeInfer'],
];

/**
 * Registers Triton's families, Proton's phase histograms and its batch size histogram, all read
 * from `model.stats()` at scrape time.
 */
export function registerTritonFamilies(registry: Registry, snapshot: () => VersionSnapshot[]): void {
  for (const [name, type, help, pick] of TRITON_FAMILIES) {
    registerCollected(registry, name, help, type, () => snapshot().map(({ labels, stats }) => ({ labels, value: pick(stats) })));
  }
  for (const [name, help, phase] of PHASE_HISTOGRAMS) {
    registerCollected(registry, name, help, 'histogram', () =>
      snapshot().flatMap(({ labels, stats }) => {
        const histogram = stats.latencyHistograms[phase];
        // Like a labelled prom-client histogram, a version's series appear with its first request:
        // a repository of idle models does not multiply the scrape.
        if (stats.inferenceStats.success.count === 0) return [];
        return histogramSamples(name, labels, LATENCY_BUCKETS, histogram.counts, histogram.sumNs / 1e9);
      }),
    );
  }
  registerCollected(
    registry,
    'proton_batch_size',
    'Rows per model execution (the batch the scheduler formed), one observation per execution.',
    'histogram',
    () => snapshot().flatMap(({ labels, stats }) => batchSizeSamples(labels, stats)),
  );
}

/** A histogram, exact, from the executions per batch size. */
function batchSizeSamples(labels: VersionSnapshot['labels'], stats: ModelStatistics): Sample[] {
  const samples: Sample[] = [];
  let executions = 0;
  let rows = 0;
  for (const batch of stats.batchStats) {
    executions += batch.computeInfer.count;
    rows += batch.batchSize * batch.computeInfer.count;
  }
  for (const le of [...BATCH_BUCKETS, Infinity]) {
    let atMost = 0;
    for (const batch of stats.batchStats) if (batch.batchSize <= le) atMost += batch.computeInfer.count;
    samples.push({ metricName: 'proton_batch_size_bucket', labels: { ...labels, le: le === Infinity ? '+Inf' : le }, value: atMost });
  }
  samples.push({ metricName: 'proton_batch_size_sum', labels, value: rows });
  samples.push({ metricName: 'proton_batch_size_count', labels, value: executions });
  return samples;
}
