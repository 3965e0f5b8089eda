import { z } from 'zod';

import { ProtonError } from './errors';
import type { ModelLoadOptions } from './model-types';
import type { NativeLoadOptions } from './native';

const positiveInt = z.number().int().positive();

const loadOptionsSchema = z.strictObject({
  intraOpNumThreads: positiveInt.max(1024).optional(),
  interOpNumThreads: positiveInt.max(1024).optional(),
  graphOptimizationLevel: z.enum(['disabled', 'basic', 'extended', 'all']).optional(),
  executionMode: z.enum(['sequential', 'parallel']).optional(),
  queueCapacity: positiveInt.max(1 << 24).optional(),
  maxBatchSize: z.number().int().min(0).max(1 << 16).optional(),
  preferredBatchSizes: z.array(positiveInt).optional(),
  maxQueueDelayUs: z.number().int().min(0).max(60_000_000).optional(),
  instances: positiveInt.max(256).optional(),
  holdUntilQueued: z.number().int().min(0).optional(),
  testFailThreadStart: z.number().int().min(0).optional(),
  testThrowOnSettle: z.number().int().min(0).optional(),
});

const OPTIMIZATION_LEVEL = { disabled: 0, basic: 1, extended: 2, all: 99 } as const;

/** Validates `Model.load` options and fills in the defaults; INVALID_ARGUMENT names the bad key. */
export function resolveLoadOptions(options: ModelLoadOptions | undefined): NativeLoadOptions {
  const parsed = loadOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') || '(options)';
    throw new ProtonError('INVALID_ARGUMENT', `Model.load option ${key}: ${issue?.message ?? 'invalid'}`);
  }
  const o = parsed.data;
  const maxBatchSize = o.maxBatchSize ?? 0;
  const preferred = o.preferredBatchSizes ?? [];
  const tooLarge = preferred.find((size) => size > maxBatchSize);
  if (tooLarge !== undefined) {
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `Model.load option preferredBatchSizes: ${tooLarge} exceeds maxBatchSize ${maxBatchSize}`,
    );
  }
  return {
    intraOpNumThreads: o.intraOpNumThreads ?? 1,
    interOpNumThreads: o.interOpNumThreads ?? 1,
    graphOptimizationLevel: OPTIMIZATION_LEVEL[o.graphOptimizationLevel ?? 'all'],
    executionMode: o.executionMode === 'parallel' ? 1 : 0,
    queueCapacity: o.queueCapacity ?? 1024,
    maxBatchSize,
    preferredBatchSizes: preferred,
    maxQueueDelayUs: o.maxQueueDelayUs ?? 0,
    instances: o.instances ?? 1,
    holdUntilQueued: o.holdUntilQueued ?? 0,
    testFailThreadStart: o.testFailThreadStart ?? -1,
    testThrowOnSettle: o.testThrowOnSettle ?? -1,
  };
}
