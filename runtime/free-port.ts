/** Free TCP ports on loopback, so several servers (and parallel test files) never collide. */
import net from 'node:net';

/**
 * A port that was free a moment ago. Another process may still take it before we use it, so
 * callers that bind it through a child process retry on "address already in use".
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`could not get a free port on ${host}`))));
    });
  });
}
