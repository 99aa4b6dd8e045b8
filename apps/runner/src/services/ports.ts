import net from 'node:net';

function listenOnce(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(chosen));
    });
  });
}

/** True when nothing listens on `port` at `host` right now. */
export async function isPortFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  try {
    await listenOnce(port, host);
    return true;
  } catch {
    return false;
  }
}

/**
 * Asks the OS for a free port, skipping ports already handed to services that
 * may not be listening yet. The check binds the wildcard address because
 * services usually listen on 0.0.0.0.
 */
export async function pickFreePort(reserved: ReadonlySet<number> = new Set(), host = '0.0.0.0'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await listenOnce(0, host);
    if (!reserved.has(port)) return port;
  }
  throw new Error('[@pactown/example-runner] could not find a free port after 20 attempts');
}
