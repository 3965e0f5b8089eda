import * as path from 'node:path';
import madge from 'madge';
import { expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

/** Every file reachable from ts/client, relative to the repository root. */
async function reachableFrom(folder: string): Promise<string[]> {
  const result = await madge(path.join(ROOT, folder), { fileExtensions: ['ts'], baseDir: ROOT });
  const graph = result.obj();
  return [...new Set([...Object.keys(graph), ...Object.values(graph).flat()])];
}

it('ts/client imports no server file (it speaks the protocol through ts/protocol)', async () => {
  const files = await reachableFrom('ts/client');
  expect(files.some((file) => file.startsWith('ts/client/'))).toBe(true);
  expect(files.some((file) => file.startsWith('ts/protocol/'))).toBe(true);
  expect(files.filter((file) => file.startsWith('ts/server/'))).toEqual([]);
}, 60_000);
