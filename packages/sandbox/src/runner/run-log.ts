import type { OnLog, ServiceRecords } from '../process/service-records.js';
import type { ServiceLogRecord } from '../process/types.js';

/** How much of a run's messages `RunResult.logs` keeps: its first and last lines, within both limits. */
export interface LogsLimit {
  maxLines: number;
  maxBytes: number;
}

/**
 * What one run collects from its service's records until it has a result:
 * the texts at or above the threshold for `RunResult.logs`, and the run's own
 * `onLog`. It is one more subscriber of the service's records.
 */
export interface RunLog {
  /** The kept texts: the first and the last lines, with `… N lines omitted …` between them when some were. */
  logs(): string[];
  /** A record for this run's caller only (`logs` and `onLog`), never logged again: the stderr recap. */
  recap(record: ServiceLogRecord): void;
  /** The run has its result: later records reach only the other subscribers. */
  detach(): void;
}

/** The marker that stands for the lines `logs` left out. */
export function omittedMarker(count: number): string {
  return `… ${count} lines omitted …`;
}

export function collectRunLog(
  records: ServiceRecords,
  threshold: number,
  onLog: OnLog | undefined,
  limit: LogsLimit,
): RunLog {
  const keep = new BoundedLines(limit);
  const take = (record: ServiceLogRecord): void => {
    if (record.level >= threshold) keep.push(record.message);
    if (onLog !== undefined) onLog(record);
  };
  const detach = records.subscribe(take, { shows: onLog !== undefined });
  return {
    logs: () => keep.lines(),
    recap(record) {
      try {
        take(record);
      } catch (error) {
        records.callbackFailed(error);
      }
    },
    detach,
  };
}

/**
 * The first lines up to half of each limit, then a window of the latest lines
 * within the other half: memory stays bounded however long a service talks
 * before it is ready.
 */
class BoundedLines {
  readonly #headLines: number;
  readonly #headBytes: number;
  readonly #tailLines: number;
  readonly #tailBytes: number;
  readonly #head: string[] = [];
  #headSize = 0;
  #tail: string[] = [];
  #tailStart = 0;
  #tailSize = 0;
  #omitted = 0;
  #headFull = false;

  constructor(limit: LogsLimit) {
    this.#headLines = Math.ceil(limit.maxLines / 2);
    this.#tailLines = limit.maxLines - this.#headLines;
    this.#headBytes = Math.ceil(limit.maxBytes / 2);
    this.#tailBytes = limit.maxBytes - this.#headBytes;
  }

  push(text: string): void {
    if (!this.#headFull) {
      const size = Buffer.byteLength(text);
      if (this.#head.length < this.#headLines && this.#headSize + size <= this.#headBytes) {
        this.#head.push(text);
        this.#headSize += size;
        return;
      }
      this.#headFull = true;
    }
    if (this.#tailLines === 0) {
      this.#omitted++;
      return;
    }
    const line = clip(text, this.#tailBytes);
    this.#tail.push(line);
    this.#tailSize += Buffer.byteLength(line);
    while (this.#tail.length - this.#tailStart > this.#tailLines || this.#tailSize > this.#tailBytes) {
      this.#tailSize -= Buffer.byteLength(this.#tail[this.#tailStart]!);
      this.#tailStart++;
      this.#omitted++;
    }
    // Drop the consumed front now and then, not on every line.
    if (this.#tailStart > 1024 && this.#tailStart * 2 > this.#tail.length) {
      this.#tail = this.#tail.slice(this.#tailStart);
      this.#tailStart = 0;
    }
  }

  lines(): string[] {
    const tail = this.#tail.slice(this.#tailStart);
    return this.#omitted === 0 ? [...this.#head, ...tail] : [...this.#head, omittedMarker(this.#omitted), ...tail];
  }
}

/** A text cut to at most `maxBytes` bytes of UTF-8 (never inside a character), with `…` when cut. */
function clip(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const cut = Buffer.from(text)
    .subarray(0, Math.max(0, maxBytes - 3))
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${cut}…`;
}
