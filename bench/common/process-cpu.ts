import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU time of a process (every thread), read from Linux's /proc/PID/stat: utime + stime, in clock
 * ticks. The suite reads a server child before and after a measured run; the difference over the
 * requests answered is the server's CPU time per request. perf counters are not available on these
 * machines, and ticks (usually 10 ms) are fine over runs of seconds.
 */

/** utime and stime of a /proc/PID/stat line, in clock ticks. */
export function parseProcStat(text: string): { utimeTicks: number; stimeTicks: number } {
  // The command name (field 2) is in parentheses and may itself hold spaces or ')': split after the last one.
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/PID/stat line: '${text.slice(0, 80)}'`);
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // After the name, field 3 (state) comes first: utime is field 14, stime field 15.
  const utimeTicks = Number(fields[14 - 3]);
  const stimeTicks = Number(fields[15 - 3]);
  if (!Number.isInteger(utimeTicks) || !Number.isInteger(stimeTicks)) throw new Error(`/proc/PID/stat has no utime/stime: '${text.slice(0, 80)}'`);
  return { utimeTicks, stimeTicks };
}

let ticksPerSecond: number | undefined;

/** The kernel's USER_HZ (`getconf CLK_TCK`), 100 where getconf is missing. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU time the process has used so far (user + system, every thread), in ms. Throws where /proc is absent. */
export function processCpuMs(pid: number): number {
  const { utimeTicks, stimeTicks } = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return ((utimeTicks + stimeTicks) * 1000) / clockTicksPerSecond();
}

/** Starts counting the process's CPU time; `stop()` returns the ms used since (NaN when /proc cannot be read). */
export function cpuMeter(pid: number): { stop(): number } {
  const before = tryCpuMs(pid);
  return { stop: () => tryCpuMs(pid) - before };
}

function tryCpuMs(pid: number): number {
  try {
    return processCpuMs(pid);
  } catch {
    return Number.NaN;
  }
}
