import os from 'node:os';

/** The machine a run was measured on, stored with the results. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  onnxruntimeNode: string;
  /** 1, 5 and 15 minute load averages when the run started: well above 0 means other work shared the cores. */
  loadAverageAtStart: [number, number, number];
  date: string;
}

export function describeMachine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    onnxruntimeNode: packageVersion('onnxruntime-node'),
    loadAverageAtStart: os.loadavg() as [number, number, number],
    date: new Date().toISOString(),
  };
}

/** One line for the reports. */
export function machineLine(machine: Machine): string {
  const load = machine.loadAverageAtStart.map((value) => value.toFixed(2)).join(' / ');
  return (
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ` +
    `onnxruntime-node ${machine.onnxruntimeNode}; load average at start ${load}; ${machine.date}`
  );
}

function packageVersion(name: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(`${name}/package.json`) as { version: string }).version;
}
