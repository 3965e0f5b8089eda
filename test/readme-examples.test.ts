import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../ts/server/config';
import { silentLogger } from '../ts/server/logger';
import { startServer } from '../ts/server/server';
import { CLI, ROOT, killLeftovers, spawnCli, type CliProcess } from './helpers/cli-process';

/**
 * The README's examples, run as a reader would from the repository root against `npm start`'s
 * server (the demo models). A block is runnable when the line before its fence reads
 * `<!-- runnable: PATTERN -->`: it must succeed and print something matching PATTERN (a regex);
 * `<!-- runnable: config -->` marks a configuration file meant to be saved at the repository root.
 */

interface Example {
  line: number;
  language: string;
  code: string;
  expect: string;
}

function runnableExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const examples: Example[] = [];
  lines.forEach((text, index) => {
    const marker = /^<!-- runnable: (.+) -->$/.exec(text);
    if (!marker) return;
    const fence = /^```(\w+)$/.exec(lines[index + 1] ?? '');
    if (!fence) throw new Error(`README.md:${index + 1}: a runnable marker must sit right above a fence`);
    const end = lines.indexOf('```', index + 2);
    if (end < 0) throw new Error(`README.md:${index + 2}: unterminated fence`);
    examples.push({ line: index + 2, language: fence[1]!, code: lines.slice(index + 2, end).join('\n'), expect: marker[1]! });
  });
  return examples;
}

const examples = runnableExamples(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
const configs = examples.filter((example) => example.expect === 'config');
const commands = examples.filter((example) => example.expect !== 'config');

afterAll(killLeftovers);

describe('README examples', () => {
  it('marks the request examples and the configuration as runnable', () => {
    expect(commands.map((example) => example.language)).toEqual(['sh', 'sh', 'ts', 'ts']);
    expect(configs.map((example) => example.language)).toEqual(['yaml']);
  });

  it('the configuration works saved at the repository root', async () => {
    // loadConfig('proton.yaml') resolves paths against the file's folder: here, the root.
    const config = parseConfig(parseYaml(configs[0]!.code), ROOT, 'README.md proton.yaml');
    const server = await startServer({ ...config, host: '127.0.0.1', port: 0, grpcPort: 0 }, { logger: silentLogger() });
    try {
      expect(server.registry.list().map((served) => served.name)).toEqual(['squeezenet', 'mlp']);
    } finally {
      await server.close();
    }
  });

  describe('against npm start’s server', () => {
    let cli: CliProcess;
    let ports: { http: number; grpc: number };
    beforeAll(async () => {
      cli = spawnCli(process.execPath, [CLI, '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0']);
      ports = await cli.ports;
    });
    afterAll(() => {
      cli.child.kill('SIGTERM');
    });

    /** The README's addresses, pointed at this test's free ports. */
    const localize = (code: string): string =>
      code.replaceAll('localhost:8080', `127.0.0.1:${ports.http}`).replaceAll('localhost:50051', `127.0.0.1:${ports.grpc}`);

    it.each(commands.map((example) => [`README.md:${example.line} (${example.language})`, example] as const))('%s', (_, example) => {
      let result;
      if (example.language === 'sh') {
        // stdin from /dev/null: bash reads the system bashrc when its stdin is a socket (Node's pipes are).
        result = spawnSync('bash', ['-euo', 'pipefail', '-c', localize(example.code)], {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 60_000,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } else {
        // Beside the sources, so that imports resolve as they do for a reader at the root.
        const dir = path.join(ROOT, 'dist', 'readme-examples');
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `example-${example.line}.mts`);
        writeFileSync(file, localize(example.code));
        result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      }
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(new RegExp(example.expect));
    });
  });
});
