import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { markdownTable } from '../common/markdown';

/**
 * Top self-time functions of a V8 CPU profile (`node --cpu-prof`): each sample's time goes to the
 * function on top of the stack; functions are merged by name, file and line.
 */

/** The parts of a .cpuprofile the summary reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  function: string;
  /** File (basename) and 1-based line, or the V8 pseudo-frame's kind. */
  location: string;
  selfMs: number;
  /** Share of all sampled time, idle included. */
  percent: number;
}

/** The `top` functions by self time. Falls back on hit counts when the profile has no time deltas. */
export function topSelfTime(profile: CpuProfile, top: number): SelfTime[] {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length > 0 && deltas.length === samples.length) {
    // timeDeltas[i] is the time since the previous sample: sample i lasts timeDeltas[i + 1] (as DevTools counts).
    samples.forEach((nodeId, index) => byNode.set(nodeId, (byNode.get(nodeId) ?? 0) + (deltas[index + 1] ?? 0) / 1000));
  } else {
    for (const node of profile.nodes) byNode.set(node.id, node.hitCount ?? 0);
  }
  const merged = new Map<string, SelfTime>();
  let total = 0;
  for (const node of profile.nodes) {
    const ms = byNode.get(node.id) ?? 0;
    total += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName === '' ? '(anonymous)' : functionName;
    const location = url === '' ? '' : `${path.basename(url)}:${lineNumber + 1}`;
    const key = `${name}@${location}`;
    const entry = merged.get(key) ?? { function: name, location, selfMs: 0, percent: 0 };
    entry.selfMs += ms;
    merged.set(key, entry);
  }
  return [...merged.values()]
    .map((entry) => ({ ...entry, percent: total > 0 ? (100 * entry.selfMs) / total : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
}

/** The summary as a Markdown table. */
export function selfTimeTable(entries: readonly SelfTime[]): string {
  return markdownTable(
    ['Function', 'Location', 'Self time', 'Share'],
    entries.map((entry) => [entry.function, entry.location, `${entry.selfMs.toFixed(0)} ms`, `${entry.percent.toFixed(1)}%`]),
    ['left', 'left', 'right', 'right'],
  );
}

/** Summaries of every .cpuprofile in `dir` (newest last), as Markdown sections. */
export async function summarizeProfiles(dir: string, top: number): Promise<string> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((file) => file.endsWith('.cpuprofile')).sort();
  const sections: string[] = [];
  for (const file of files) {
    const profile = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as CpuProfile;
    sections.push(`### ${file}\n\n${selfTimeTable(topSelfTime(profile, top))}`);
  }
  return sections.join('\n');
}
