/** Resolves once `condition()` holds, checking every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Yields to the event loop (lets sockets and timers run between pushes). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
