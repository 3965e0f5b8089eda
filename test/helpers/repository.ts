import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { GraphBuilder } from '../../ts/onnx/model-builder';

/** y = x * scale, x float32 [batch, 4]: versions differ by `scale`, so every answer says which version ran. */
export function scaleModel(scale: number, batchDim: number | string = 'batch'): Uint8Array {
  return new GraphBuilder(`scale_${scale}`)
    .addInput('x', 'float32', [batchDim, 4])
    .addInitializer('k', { type: 'float32', dims: [1], data: Float32Array.of(scale) })
    .addNode('Mul', ['x', 'k'], ['y'])
    .addOutput('y', 'float32', [batchDim, 4])
    .serialize();
}

/** A temporary Triton-layout repository: `write('m/1/model.onnx', bytes)`, `write('m/config.pbtxt', text)`. */
export class TempRepository {
  readonly root: string;

  constructor() {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'proton-repo-'));
  }

  write(relative: string, content: string | Uint8Array): string {
    const file = path.join(this.root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Write then rename, as a deployment tool would: a poll never sees half a file.
    const temp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(temp, content);
    fs.renameSync(temp, file);
    return file;
  }

  remove(relative: string): void {
    fs.rmSync(path.join(this.root, relative), { recursive: true, force: true });
  }

  path(relative: string): string {
    return path.join(this.root, relative);
  }

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
