import { create } from '@bufbuild/protobuf';

import { ModelConfigSchema, type ModelConfig } from '../gen/model_config_pb';
import { Model } from '../model';
import { checkConfigAgainstModel, supportsBatching } from './config-metadata';
import { planLoad } from './config-options';
import type { ConfigSource } from './config-source';
import { ConfiguredModel } from './configured-model';
import { effectiveConfig } from './effective-config';
import { runWarmup, type WarmupFiles } from './model-warmup';

/** One version to load. */
export interface VersionSpec {
  readonly name: string;
  /** The model folder, when it differs from the served name (config.pbtxt's `name` must match it). */
  readonly folderName?: string;
  readonly version: number;
  /** The .onnx file (already confined to the repository). */
  readonly file: string;
  /** The model's ModelConfig; undefined when it has none (then it is auto-completed). */
  readonly config: ModelConfig | undefined;
  readonly source: ConfigSource;
  readonly warmupFiles?: WarmupFiles;
}

/** A loaded, checked and warmed-up version, not yet serving. */
export interface LoadedVersion {
  readonly name: string;
  readonly version: string;
  readonly model: ConfiguredModel;
}

/**
 * Loads one version: maps its config to load options, loads the model, auto-completes and checks
 * the config against the model's metadata, then runs `model_warmup`. On any failure the model is
 * closed again and the error (naming the file and field) propagates.
 */
export async function loadVersion(spec: VersionSpec): Promise<LoadedVersion> {
  const base = spec.config ?? create(ModelConfigSchema);
  let plan = planLoad(base, spec.source, spec.folderName ?? spec.name);
  let model = await Model.load(spec.file, plan.options);
  try {
    const autoBatch = spec.config === undefined && supportsBatching(model.metadata);
    const effective = effectiveConfig(spec.name, base, model.metadata, autoBatch);
    if (autoBatch) {
      // Batching options are fixed at load: reload with what auto-complete decided.
      plan = planLoad(effective, spec.source, spec.name);
      const probe = model;
      model = await Model.load(spec.file, plan.options);
      await probe.close();
    }
    checkConfigAgainstModel(effective, model.metadata, spec.source);
    const configured = new ConfiguredModel(model, plan, effective);
    await runWarmup(configured, effective, spec.source, spec.warmupFiles);
    return { name: spec.name, version: String(spec.version), model: configured };
  } catch (error) {
    await model.close();
    throw error;
  }
}
