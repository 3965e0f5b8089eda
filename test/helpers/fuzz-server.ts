import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';

import { CLI, spawnCli, type CliProcess } from './cli-process';
import { demoModels } from './models';

/** Cases per fuzzer: a few hundred to a few thousand in `npm test`, more with PROTON_FUZZ_RUNS=N. */
export function fuzzRuns(fallback: number): number {
  const runs = Number(process.env.PROTON_FUZZ_RUNS);
  return Number.isSafeInteger(runs) && runs > 0 ? runs : fallback;
}

/** Seed of the fuzzers (PROTON_FUZZ_SEED=N replays another run). */
export const FUZZ_SEED = Number(process.env.PROTON_FUZZ_SEED ?? 20261201);

export interface FuzzTarget {
  cli: CliProcess;
  ports: { http: number; grpc: number };
  /** Fails the test when the server exited or no longer answers a good inference request. */
  expectAlive(): Promise<void>;
}

const a16 = Array.from({ length: 16 }, (_, i) => i);
export const GOOD_V2_JSON = JSON.stringify({ inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], data: a16 })) });

/** The real CLI serving the `add` demo model on free loopback ports, as its own process. */
export async function startFuzzTarget(): Promise<FuzzTarget> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'proton-fuzz-'));
  const config = path.join(dir, 'proton.yaml');
  writeFileSync(config, ['log_level: ERROR', 'models:', `  - { name: add, path: ${JSON.stringify((await demoModels()).add)} }`].join('\n'));
  const cli = spawnCli(process.execPath, [CLI, '--config', config, '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0', '--receive-timeout-ms', '2000']);
  const ports = await cli.ports;
  let exited = false;
  cli.exited.then(() => {
    exited = true;
  });
  const expectAlive = async (): Promise<void> => {
    expect(exited, `the server exited:\n${cli.output().slice(-4000)}`).toBe(false);
    const response = await fetch(`http://127.0.0.1:${ports.http}/v2/models/add/infer`, { method: 'POST', body: GOOD_V2_JSON });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { outputs: Array<{ data: number[] }> };
    expect(body.outputs[0]!.data).toEqual(a16.map((v) => 2 * v));
  };
  return { cli, ports, expectAlive };
}
