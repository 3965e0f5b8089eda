import path from 'node:path';
import { ChildProcessHandle } from '../common/child-process';
import type { BenchModelFile } from '../common/models';
import { compiledScript } from '../common/paths';
import { plannedLevels, cellPlan, type PlanSettings } from './cell-plan';
import { cpuUsPerRequest, type CellResult } from './cell-result';
import { RESULT_PREFIX, type CeilingCell, type CeilingResult } from './ceiling-protocol';
import type { Variant } from './variants';
import { cellTimeLimitMs, withWatchdog } from './watchdog';

const VARIANT: Variant = { server: 'ort-ceiling', client: 'in-process' };

/** Runs the ORT ceiling for one model in its own child process and returns its cells. */
export async function measureOrtCeiling(
  model: BenchModelFile,
  settings: PlanSettings,
  threads: number,
  logDir: string,
): Promise<CellResult[]> {
  const cells: CeilingCell[] = plannedLevels(settings, VARIANT, model.name).map((concurrency) => ({
    concurrency,
    plan: cellPlan(settings, VARIANT, model.name, concurrency)!,
  }));
  if (cells.length === 0) return [];
  const args = ['--model', `${model.name}=${model.path}`, '--threads', String(threads), '--cells', JSON.stringify(cells)];
  const child = ChildProcessHandle.start(
    `ort-ceiling ${model.name}`,
    [],
    compiledScript('bench/servers/ort-ceiling'),
    args,
    path.join(logDir, `ort-ceiling-${model.name}.log`),
  );
  // Model load and the first run come on top of the cells.
  const limitMs = cells.reduce((sum, cell) => sum + cellTimeLimitMs(cell.plan), 60_000);
  const { value: code, expired } = await withWatchdog(child.exited, limitMs, () => child.kill());
  await child.stop();
  if (expired) throw new Error(`the ORT ceiling for ${model.name} did not finish within ${limitMs / 1000} s and was killed:\n${child.tail()}`);
  const line = child.stdout.find((text) => text.startsWith(RESULT_PREFIX));
  if (code !== 0 || line === undefined) throw new Error(`the ORT ceiling for ${model.name} failed (exit ${code}):\n${child.tail()}`);
  const results = JSON.parse(line.slice(RESULT_PREFIX.length)) as CeilingResult[];
  return cells.map((cell, index) => {
    const { measurement, cpuMs } = results[index]!;
    return {
      ...VARIANT,
      model: model.name,
      concurrency: cell.concurrency,
      plan: cell.plan,
      generator: 'in-process' as const,
      serverCpuUsPerRequest: cpuUsPerRequest(cpuMs ?? Number.NaN, measurement),
      ...measurement,
    };
  });
}
