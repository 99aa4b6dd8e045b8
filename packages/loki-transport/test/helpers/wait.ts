/** Yields to the event loop (lets sockets and timers run between pushes). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
