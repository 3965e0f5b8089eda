/** A benchmarked model: its file, one fixed float32 input set, and the output every path returns. */
export interface BenchModel {
  name: string;
  file: string;
  inputs: Record<string, BenchInput>;
  outputName: string;
}

export interface BenchInput {
  dims: number[];
  data: Float32Array;
}

/** The models `--models` may name, with the shapes issue 2 asks for (MLP at batch 1). */
export const BENCH_MODEL_NAMES = ['add', 'mlp'] as const;
export type BenchModelName = (typeof BENCH_MODEL_NAMES)[number];


export function benchModel(name: BenchModelName, file: string): BenchModel {
  switch (name) {
    case 'add':
      return {
        name,
        file,
        inputs: {
          a: { dims: [1, 16], data: seeded(16, 1) },
          b: { dims: [1, 16], data: seeded(16, 2) },
        },
        outputName: 'sum',
      };
    case 'mlp':
      return { name, file, inputs: { x: { dims: [1, 256], data: seeded(256, 3) } }, outputName: 'y' };
  }
}

/** Deterministic values in [-1, 1), so every run and every path sees the same input. */
function seeded(length: number, seed: number): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = Math.sin(seed * 1000 + i * 0.37);
  return data;
}
