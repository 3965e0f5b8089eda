import * as net from 'node:net';

/**
 * Fails when `port` is taken. uWebSockets.js listens with SO_REUSEPORT, so a second server on the
 * same port would silently share it (and answer alternately); a plain bind without that option
 * is refused by the kernel whenever anything holds the port, which is the check wanted here.
 * @param flag how the user changes the port, named in the message
 */
export async function assertPortFree(host: string, port: number, what: string, flag: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${error.code ?? error.message})`;
      reject(new Error(`${what} port ${port} on ${host} ${why}; choose another with ${flag}`));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
