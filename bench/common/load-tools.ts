import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** The non-Node load generators (C programs from Debian), and whether this machine has them. */

const run = promisify(execFile);

export type LoadTool = 'wrk' | 'h2load';

/** How to install each tool, for the refusal messages. */
export const INSTALL_HINT: Readonly<Record<LoadTool, string>> = {
  wrk: 'apt-get install -y wrk',
  h2load: 'apt-get install -y nghttp2-client',
};

/** True when the tool runs here. */
export async function toolAvailable(tool: LoadTool): Promise<boolean> {
  try {
    await run(tool, ['--version']);
    return true;
  } catch (error) {
    // wrk --version prints its banner and exits 1; a missing command is ENOENT.
    return (error as { code?: unknown }).code === 1;
  }
}

/** The sentence a program prints when it refuses cells for want of the tool. */
export function missingToolNote(tool: LoadTool, what: string): string {
  return `${tool} is not installed, so ${what} were NOT measured (refused, not skipped): ${INSTALL_HINT[tool]}`;
}
