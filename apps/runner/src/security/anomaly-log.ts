import fs from 'node:fs/promises';
import path from 'node:path';
import { getRedactor } from '@pactown/log-core';

export type AnomalyType =
  | 'RATE_LIMIT_EXCEEDED'
  | 'CONCURRENT_LIMIT_EXCEEDED'
  | 'UNAUTHORIZED_ACCESS'
  | 'SERVER_OVERLOADED'
  | 'RAPID_RESTART';

export type AnomalySeverity = 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** One line of the anomaly log. */
export interface Anomaly {
  timestamp: string;
  anomaly_type: AnomalyType;
  user_id: string;
  service_id: string;
  details: string;
  severity: AnomalySeverity;
  metadata?: Record<string, unknown>;
}

export interface AnomalyLogOptions {
  /** @default 'anomalies.jsonl' in `logDir` */
  filename: string;
  /** Rotate before a write would pass this size. @default 10 MiB */
  maxBytes?: number;
  /** Rotated files kept (`.1` … `.N`). @default 5 */
  backupCount?: number;
}

/**
 * Appends anomalies as JSON lines, in order, rotating by size. Writes are
 * chained so concurrent denials never interleave; `flush()` waits for them.
 */
export class AnomalyLog {
  readonly filename: string;
  #maxBytes: number;
  #backupCount: number;
  #size = -1;
  #chain: Promise<void> = Promise.resolve();
  #errors = 0;

  constructor(options: AnomalyLogOptions) {
    this.filename = options.filename;
    this.#maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.#backupCount = options.backupCount ?? 5;
  }

  get errors(): number {
    return this.#errors;
  }

  append(anomaly: Anomaly): void {
    // Details can hold request text: masked by log-core's engine, as every other sink is.
    const line = `${JSON.stringify(getRedactor().redactObject(anomaly))}\n`;
    this.#chain = this.#chain
      .then(() => this.#write(line))
      .catch((error: unknown) => {
        if (this.#errors++ === 0)
          process.stderr.write(`[@pactown/example-runner] anomaly log write failed: ${String(error)}\n`);
      });
  }

  flush(): Promise<void> {
    return this.#chain;
  }

  async #write(line: string): Promise<void> {
    if (this.#size < 0) {
      await fs.mkdir(path.dirname(this.filename), { recursive: true, mode: 0o700 });
      this.#size = await fs.stat(this.filename).then(
        (s) => s.size,
        () => 0,
      );
    }
    const bytes = Buffer.byteLength(line);
    if (this.#size > 0 && this.#size + bytes > this.#maxBytes) await this.#rotate();
    await fs.appendFile(this.filename, line, { mode: 0o600 });
    this.#size += bytes;
  }

  async #rotate(): Promise<void> {
    for (let i = this.#backupCount - 1; i >= 1; i--) {
      await fs.rename(`${this.filename}.${i}`, `${this.filename}.${i + 1}`).catch(() => undefined);
    }
    if (this.#backupCount > 0) await fs.rename(this.filename, `${this.filename}.1`);
    else await fs.rm(this.filename, { force: true });
    this.#size = 0;
  }
}

/** Reads the anomaly log back (newest last); a missing file is empty. */
export async function readAnomalies(filename: string): Promise<Anomaly[]> {
  const text = await fs.readFile(filename, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Anomaly);
}
