import type { Server } from 'node:net';

export interface TempDir extends AsyncDisposable {
  /** The folder (real path, made by `mkdtemp`). */
  readonly path: string;
  /** A path inside the folder; throws when the parts would leave it. */
  join(...parts: string[]): string;
  /** Deletes the folder (and only it). Idempotent. */
  remove(): Promise<void>;
}

/** A fresh folder from `mkdtemp` under the OS temp folder; `remove()` deletes it and nothing else. */
export declare function tempDir(prefix?: string): Promise<TempDir>;

/** A port nothing listens on right now at `host` (default 127.0.0.1). */
export declare function freePort(host?: string): Promise<number>;

/** Holds a port until `close()` (a busy port for a test). */
export declare function holdPort(host?: string): Promise<{ port: number; server: Server; close(): Promise<void> }>;

/** Polls `check` until it returns a value other than undefined or false; rejects after `timeoutMs`. */
export declare function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what?: string,
  timeoutMs?: number,
  intervalMs?: number,
): Promise<T>;

export interface SseMessage {
  event: string;
  /** JSON-parsed when it parses, else the text. */
  data: any;
  id?: string;
}

/** A real SSE client over fetch. */
export declare class SseClient {
  readonly events: SseMessage[];
  status: number;
  headers: Headers | null;
  constructor(url: string, headers?: Record<string, string>);
  opened(): Promise<void>;
  waitFor(match: (e: SseMessage) => boolean, what?: string, timeoutMs?: number): Promise<SseMessage>;
  logs(): string[];
  ended(): Promise<void>;
  close(): void;
}

export interface NodeServiceOptions {
  /** Numbered lines printed before it listens. @default 0 */
  lines?: number;
  /** @default 'line' */
  prefix?: string;
  /** Print the numbered lines on stderr. @default false */
  stderr?: boolean;
  /** More lines printed (verbatim, stdout) before it listens. @default [] */
  print?: string[];
  /** Exit with code 3 this long after listening. @default never */
  exitAfterMs?: number;
}

/** markpact Markdown of a dependency-free Node HTTP service on `MARKPACT_PORT`. */
export declare function nodeService(options?: NodeServiceOptions): string;
/** markpact Markdown of a Node service that writes to stderr and exits before it listens. */
export declare function crashingService(options?: { stderr?: string; code?: number }): string;
/** markpact Markdown of a Node service that prints `count` lines as fast as it can and never gets ready. */
export declare function floodService(options?: { count?: number; bytes?: number }): string;

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a real child process to its end and collects its output; `input` goes to its stdin, `timeoutMs` kills it and rejects. */
export declare function runChild(
  command: string,
  args?: readonly string[],
  options?: import('node:child_process').SpawnOptions & { input?: string | Buffer; timeoutMs?: number },
): Promise<ChildResult>;

/** Whether a process with this PID runs (exists and, on Linux, is not a zombie). */
export declare function pidAlive(pid: number): boolean;
