import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { ConfigResult } from './results';

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  os: string;
  onnxruntimeNode: string;
  /** 1, 5 and 15 minute load averages at the start: high values mean a noisy run. */
  loadAverage: [number, number, number];
  date: string;
}

export function describeMachine(): Machine {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    onnxruntimeNode: onnxruntimeNodeVersion(),
    loadAverage: os.loadavg() as [number, number, number],
    date: new Date().toISOString(),
  };
}

export interface MicroReport {
  machine: Machine;
  settings: { durationS: number; warmupS: number; rounds: number; intraOpNumThreads: 1 };
  results: ConfigResult[];
}

export async function writeReport(file: string, report: MicroReport): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}

function onnxruntimeNodeVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('onnxruntime-node/package.json') as { version: string }).version;
}
