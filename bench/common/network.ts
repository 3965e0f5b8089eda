import http from 'node:http';
import net from 'node:net';

/** Loopback helpers: free ports for the children and waiting until they serve. */

export const LOOPBACK = '127.0.0.1';

/** A port that was free a moment ago (the child binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True once `GET /v2/health/ready` answers 200. */
export function httpReady(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: LOOPBACK, port, path: '/v2/health/ready', agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.setTimeout(2_000, () => request.destroy());
  });
}

/** True once something accepts TCP connections on the port. */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, LOOPBACK);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
