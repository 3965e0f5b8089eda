import * as path from 'node:path';
import type * as Uws from 'uWebSockets.js';

/** The uWebSockets.js API, plus what v20.30 has but does not declare. */
export type UwsModule = typeof Uws;
export type HttpRequest = Uws.HttpRequest;
export type HttpResponse = Uws.HttpResponse;
export type ListenSocket = Uws.us_listen_socket;
export type TemplatedApp = Uws.TemplatedApp & {
  /** Closes the listen sockets and every connection at once. */
  close(): void;
};

let loaded: UwsModule | undefined;

/**
 * Loads uWebSockets.js's native binary directly.
 *
 * The package's own entry point silently falls back to a slow pure-JS server when the binary does
 * not load; Proton refuses to run on that fallback, so it never goes through that entry point.
 * @throws Error naming the binary and the fix when it cannot be loaded
 */
export function loadUws(): UwsModule {
  if (loaded) return loaded;
  const packageDir = path.dirname(require.resolve('uWebSockets.js/package.json'));
  const binary = path.join(
    packageDir,
    'binaries',
    `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`,
  );
  let module: UwsModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    module = require(binary) as UwsModule;
  } catch (error) {
    throw new Error(
      `uWebSockets.js has no native binary for this platform (${process.platform}-${process.arch}, ` +
        `Node ABI ${process.versions.modules}): ${(error as Error).message}. ` +
        'Proton will not serve on its slow JavaScript fallback: use Node 16, 18 or 20 on linux/darwin x64/arm64 ' +
        'or install a uWebSockets.js build that matches this Node.',
    );
  }
  // The fallback's App is a JavaScript function; the binary's is native.
  const isNative = typeof module.App === 'function' && Function.prototype.toString.call(module.App).includes('[native code]');
  if (!isNative || typeof module.us_socket_local_port !== 'function') {
    throw new Error(`${binary} loaded but is not the uWebSockets.js native module`);
  }
  loaded = module;
  return module;
}
