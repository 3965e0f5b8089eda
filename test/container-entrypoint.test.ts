import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Tensor } from '../ts/protocol/tensor';
import { ROOT, killLeftovers, spawnCli } from './helpers/cli-process';
import { demoModels } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';
import { createClient, unary } from './grpc-test-support';

/**
 * No container engine runs on the project's machines, so the image itself is not built here.
 * Instead this runs the image's entrypoint with the args KServe passes (from the
 * ClusterServingRuntime) as a plain process, against a /mnt/models-style folder.
 */

afterAll(killLeftovers);

const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const runtime = parseYaml(readFileSync(path.join(ROOT, 'deploy', 'kserve', 'cluster-serving-runtime.yaml'), 'utf8'));

/** The JSON (exec) form of a Dockerfile instruction, from its last occurrence. */
function execForm(instruction: string): string[] {
  const lines = dockerfile.split('\n').filter((line) => line.startsWith(`${instruction} `));
  expect(lines.length, instruction).toBeGreaterThan(0);
  return JSON.parse(lines[lines.length - 1]!.slice(instruction.length + 1)) as string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('the container entrypoint', () => {
  it('is the package bin, which the image links as proton-serve', () => {
    expect(execForm('ENTRYPOINT')).toEqual(['proton-serve']);
    const link = /ln -s \/app\/(\S+) \/usr\/local\/bin\/proton-serve/.exec(dockerfile);
    expect(link?.[1]).toBe(packageJson.bin['proton-serve']);
    // The image's default args are KServe's, so `docker run image` and KServe start it alike.
    const kserveArgs = runtime.spec.containers[0].args as string[];
    for (const arg of execForm('CMD')) expect(kserveArgs).toContain(arg.replace('=model', '={{.Name}}'));
  });

  it('serves the model KServe leaves in /mnt/models with the runtime args, then drains on SIGTERM', async () => {
    const paths = await demoModels();
    const mnt = path.join(mkdtempSync(path.join(os.tmpdir(), 'proton-mnt-')), 'mnt', 'models');
    mkdirSync(path.join(mnt, '1'), { recursive: true });
    copyFileSync(paths.dynamic_batch, path.join(mnt, '1', 'model.onnx'));

    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const args = (runtime.spec.containers[0].args as string[]).map((arg) =>
      arg
        .replace('{{.Name}}', 'classifier')
        .replace(/^--model-dir=\/mnt\/models$/, `--model-dir=${mnt}`)
        .replace(/^--http-port=8080$/, `--http-port=${httpPort}`)
        .replace(/^--grpc-port=9000$/, `--grpc-port=${grpcPort}`),
    );
    expect(args).toContain(`--model-dir=${mnt}`);
    const cli = spawnCli(process.execPath, [path.join(ROOT, packageJson.bin['proton-serve']!), ...args]);
    expect(await cli.ports).toEqual({ http: httpPort, grpc: grpcPort });

    const rest = `http://127.0.0.1:${httpPort}`;
    expect((await fetch(`${rest}/v2/health/ready`)).status).toBe(200);
    const x = { type: 'float32', dims: [3, 4], data: randomData('float32', 12, 11) } as Tensor;
    const response = await fetch(`${rest}/v2/models/classifier/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [3, 4], data: Array.from(x.data as Float32Array) }] }),
    });
    expect(response.status).toBe(200);
    const output = ((await response.json()) as { outputs: Array<{ shape: number[]; data: number[] }> }).outputs[0]!;
    const reference = await referenceRun(paths.dynamic_batch, { x });
    expectTensorClose({ type: 'float32', dims: output.shape, data: Float32Array.from(output.data) } as Tensor, reference.y);

    const client = createClient('inference.proto', 'inference.GRPCInferenceService', `127.0.0.1:${grpcPort}`);
    try {
      expect(await unary(client, 'ModelReady', { name: 'classifier', version: '' })).toEqual({ ready: true });
    } finally {
      client.close();
    }

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toMatchObject({ code: 0, signal: null });
  });
});
