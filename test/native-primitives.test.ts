import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { expect, it } from 'vitest';

// Built by CMakeLists.txt next to the addon (npm install / npm run build).
const binary = path.join(__dirname, '..', 'build', 'Release', 'proton_primitives_stress');

interface Line {
  scenario: 'poll-window' | 'usable-cpus' | 'queue' | 'wake' | 'done';
  total?: number;
  round?: number;
  perConsumer?: number[];
}

it('JobQueue and WakeSignal hold up under several threads: checked sum, every sleeper woken; PollWindow and UsableCpusFrom follow their rules', () => {
  expect(fs.existsSync(binary), `${binary} is missing: run npm run build`).toBe(true);
  const result = spawnSync(binary, { encoding: 'utf8', timeout: 120_000 });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Line);
  expect(lines[0]?.scenario).toBe('poll-window');
  expect(lines[1]?.scenario).toBe('usable-cpus');
  const queue = lines.find((l) => l.scenario === 'queue');
  expect(queue?.total).toBe(600_000);
  expect(queue?.perConsumer?.reduce((a, b) => a + b, 0)).toBe(600_000);
  const rounds = lines.filter((l) => l.scenario === 'wake');
  expect(rounds).toHaveLength(5);
  for (const round of rounds) {
    expect(round.perConsumer?.reduce((a, b) => a + b, 0)).toBe(4000);
    expect(round.perConsumer?.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
  }
  expect(lines.at(-1)?.scenario).toBe('done');
});
