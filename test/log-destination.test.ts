import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { TurnBatchedDestination } from '../ts/server/log-destination';

/** The JSON logger's stdout destination: one write per turn of the event loop, nothing lost at exit. */

const ROOT = path.resolve(__dirname, '..');

describe('TurnBatchedDestination', () => {
  it('hands the lines of one turn to the target as one write, in order, at the end of the turn', async () => {
    const writes: string[] = [];
    const destination = new TurnBatchedDestination({ write: (text) => writes.push(text) });
    destination.write('a\n');
    destination.write('b\n');
    destination.write('c\n');
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['a\nb\nc\n']);
    destination.write('d\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['a\nb\nc\n', 'd\n']);
    destination.close();
  });

  it('writes at once when a turn has gathered 1024 lines (bounded memory)', () => {
    const writes: string[] = [];
    const destination = new TurnBatchedDestination({ write: (text) => writes.push(text) });
    for (let i = 0; i < 1024; i++) destination.write(`${i}\n`);
    expect(writes.length).toBe(1);
    expect(writes[0]!.split('\n').length - 1).toBe(1024);
    destination.close();
  });

  it("the server's JSON logger loses no line when the process exits in the same turn", () => {
    const script = `
      const { createLogger } = require('./dist/ts/server/logger.js');
      const logger = createLogger({ level: 'INFO', format: 'json' });
      for (let i = 0; i < 2000; i++) logger.info({ i }, 'line');
      process.exit(3);`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(3);
    const records = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { i: number; msg: string });
    expect(records.map((record) => record.i)).toEqual([...Array(2000).keys()]);
    expect(records.every((record) => record.msg === 'line')).toBe(true);
  });
});
