import { DEMO_MODELS_DIR, ensureDemoModels } from '../ts/onnx/demo-models';

/** Vitest global setup: builds the demo models once, before any test file runs. */
export default async function setup(): Promise<void> {
  await ensureDemoModels(DEMO_MODELS_DIR);
}
