import type { WritableLike } from '@pactown/log-core';

export interface BoundedStream extends WritableLike {
  /** Lines dropped because the destination was too far behind. */
  readonly dropped: number;
}

/**
 * Guards a console stream against a slow reader: Node buffers writes to a
 * pipe in memory without limit, so a log burst into a stalled `| less` or a
 * slow collector would grow the heap until the app stops answering. Past
 * `maxBufferedBytes` lines are dropped and counted instead (files and Loki
 * still get them).
 */
export function boundedStream(target: NodeJS.WritableStream & { writableLength?: number }, maxBufferedBytes = 4 * 1024 * 1024): BoundedStream {
  let dropped = 0;
  let warned = false;
  return {
    get dropped() {
      return dropped;
    },
    get destroyed() {
      return (target as { destroyed?: boolean }).destroyed;
    },
    get writableLength() {
      return target.writableLength;
    },
    on(event: 'error', listener: (error: Error) => void) {
      target.on(event, listener);
      return this;
    },
    write(chunk: string, callback?: (error?: Error | null) => void): boolean {
      if ((target.writableLength ?? 0) > maxBufferedBytes) {
        dropped++;
        if (!warned) {
          warned = true;
          process.stderr.write('[@pactown/example-runner] console output is not being read fast enough; dropping console lines (files and Loki still get them)\n');
        }
        callback?.(null);
        return false;
      }
      return callback ? target.write(chunk, callback) : target.write(chunk);
    },
  };
}
