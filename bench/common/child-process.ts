import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/**
 * Child processes of the benchmarks: each server (and the ORT ceiling) runs in its own process so the
 * load generator in the parent never shares its event loop. Output goes to a log file, and the last
 * lines are kept for error messages. Every child still running when the parent ends gets SIGTERM.
 */

const TAIL_LINES = 40;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export class ChildProcessHandle {
  readonly label: string;
  /** Settles with the exit code (null when killed by a signal) once the child has exited. */
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private readonly tailLines: string[] = [];
  private readonly stdoutLines: string[] = [];

  private constructor(label: string, child: ChildProcess, logFile: string) {
    this.label = label;
    this.child = child;
    this.log = createWriteStream(logFile);
    const collect = (stream: NodeJS.ReadableStream | null, isStdout: boolean): void => {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        this.log.write(chunk);
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.keep(line, isStdout);
      });
      stream?.on('end', () => partial !== '' && this.keep(partial, isStdout));
    };
    collect(child.stdout, true);
    collect(child.stderr, false);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        live.delete(child);
        resolve(code);
      });
    });
  }

  /** Starts `node [nodeArgs] script [args]`, its stdout and stderr written to `logFile`. */
  static start(label: string, nodeArgs: readonly string[], script: string, args: readonly string[], logFile: string): ChildProcessHandle {
    installExitHook();
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    return new ChildProcessHandle(label, child, logFile);
  }

  /** The child's process id (for reading its CPU time from /proc). */
  get pid(): number {
    return this.child.pid ?? Number.NaN;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Lines the child printed on stdout so far. */
  get stdout(): readonly string[] {
    return this.stdoutLines;
  }

  /** The last lines of its output, for error messages. */
  tail(): string {
    return this.tailLines.join('\n');
  }

  /** SIGKILL at once: for a child presumed hung. */
  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  /** SIGTERM, then waits for a clean exit; SIGKILL after `graceMs`. Resolves with the exit code. */
  async stop(graceMs = 20_000): Promise<number | null> {
    if (this.running) this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
    return outcome === 'timeout' ? null : outcome;
  }

  private keep(line: string, isStdout: boolean): void {
    if (isStdout) this.stdoutLines.push(line);
    this.tailLines.push(line);
    if (this.tailLines.length > TAIL_LINES) this.tailLines.shift();
  }
}

/** SIGTERM for every child still running when the parent exits, however it exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGTERM');
  });
}

/** Stops every running child (SIGTERM, then wait), e.g. when the suite is interrupted. */
export async function stopAllChildren(graceMs = 10_000): Promise<void> {
  await Promise.all(
    [...live].map(async (child) => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      clearTimeout(timer);
    }),
  );
}
