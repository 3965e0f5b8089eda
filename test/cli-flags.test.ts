import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../ts/server/cli';
import { CLI, ROOT } from './helpers/cli-process';
import { demoModels } from './helpers/models';

/** The command line: `npx proton-serve`, aliases, and the combinations it refuses. */

/** Parses args with the CLI's own definition; resolves with the options or the error message. */
function parse(args: string[]): { options?: Record<string, unknown>; error?: string } {
  const program = createProgram()
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  try {
    program.parse(args, { from: 'user' });
    return { options: program.opts() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Runs the compiled CLI to completion (for the refusals that exit before serving). */
function runCli(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('proton-serve', () => {
  it('runs as `npx proton-serve --help` and lists every option', () => {
    const result = spawnSync('npx', ['proton-serve', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(0);
    for (const flag of ['--config', '--model-dir', '--model-name', '--port', '--http-port', '--grpc-port', '--host', '--drain-delay-secs', '--exit-timeout-secs']) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toMatch(/^Usage: proton-serve \[options\]/);
  });

  it('takes --http-port as an alias of --port, and refuses both at once', () => {
    expect(parse(['--http-port', '8081']).options).toMatchObject({ httpPort: 8081 });
    expect(parse(['--http-port=8081', '--port', '8082']).error).toMatch(/option '--http-port <port>' cannot be used with option '-p, --port <port>'/);
    const both = runCli(['--port', '1', '--http-port', '2']);
    expect(both.status).toBe(1);
    expect(both.output).toMatch(/cannot be used with/);
  });

  it('refuses --config with --model-dir or --model-name, and one of the pair alone', () => {
    expect(parse(['--config', 'a.yaml', '--model-dir', '/mnt/models']).error).toMatch(/--config <file>' cannot be used with option '--model-dir/);
    expect(parse(['--model-name', 'm', '--config', 'a.yaml']).error).toMatch(/cannot be used with option '--model-name/);
    const alone = runCli(['--model-dir', '/mnt/models']);
    expect(alone.status).toBe(1);
    expect(alone.output).toContain('--model-dir and --model-name go together');
  });

  it('checks ports and seconds, with Triton’s defaults', () => {
    expect(parse([]).options).toEqual({ drainDelaySecs: 0, exitTimeoutSecs: 30 });
    expect(parse(['--port', '65536']).error).toMatch(/expected a port number/);
    expect(parse(['--grpc-port', 'x']).error).toMatch(/expected a port number/);
    expect(parse(['--drain-delay-secs', '-1']).error).toMatch(/expected whole seconds/);
    expect(parse(['--exit-timeout-secs', '1.5']).error).toMatch(/expected whole seconds/);
  });

  it('names the problem when --model-dir holds no model or several', async () => {
    const empty = runCli(['--model-dir', ROOT + '/proto', '--model-name', 'm']);
    expect(empty.status).toBe(1);
    expect(empty.output).toContain('no .onnx file inside');
    const several = runCli(['--model-dir', (await demoModels()).add.replace(/\/[^/]+$/, ''), '--model-name', 'm']);
    expect(several.status).toBe(1);
    expect(several.output).toMatch(/more than one \.onnx file inside \(add\.onnx, .*\): expected exactly one/);
  });
});
