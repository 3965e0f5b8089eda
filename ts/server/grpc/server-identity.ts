import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROTO_DIR } from './proto-loading';

let cached: { name: string; version: string } | undefined;

/** The server's name and version for ServerMetadata, read once from the package's package.json. */
export function serverIdentity(): { name: string; version: string } {
  if (!cached) {
    let version = '';
    try {
      const pkg = JSON.parse(readFileSync(path.join(PROTO_DIR, '..', 'package.json'), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string') version = pkg.version;
    } catch {
      // A missing package.json only leaves the version empty.
    }
    cached = { name: 'proton', version };
  }
  return cached;
}
