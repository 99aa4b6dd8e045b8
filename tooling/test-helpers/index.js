import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// ── Temp folders ────────────────────────────────────────────────────────────

/**
 * A fresh folder from `mkdtemp` under the OS temp folder. `remove()` deletes
 * that folder and nothing else: it refuses any path it did not create.
 */
export async function tempDir(prefix = 'pactown-test-') {
  if (/[/\\]/.test(prefix)) throw new TypeError(`tempDir prefix must be a plain name, got ${JSON.stringify(prefix)}`);
  const base = await fs.realpath(os.tmpdir());
  const dir = await fs.mkdtemp(path.join(base, prefix));
  let removed = false;
  return {
    path: dir,
    /** A path inside the folder (the parts may not leave it). */
    join(...parts) {
      const inside = path.resolve(dir, ...parts);
      if (inside !== dir && !inside.startsWith(`${dir}${path.sep}`)) throw new Error(`${inside} is outside ${dir}`);
      return inside;
    },
    async remove() {
      if (removed) return;
      removed = true;
      // rm does not follow symlinks inside the folder: it removes the links themselves.
      await fs.rm(dir, { recursive: true, force: true });
    },
    async [Symbol.asyncDispose]() {
      await this.remove();
    },
  };
}

// ── Ports ───────────────────────────────────────────────────────────────────

/** A port nothing listens on right now at `host` (the OS picks it; it may be taken again later). */
export async function freePort(host = '127.0.0.1') {
  const held = await holdPort(host);
  await held.close();
  return held.port;
}

/** Holds a port on `host` until `close()`: for tests that need a busy port. */
export async function holdPort(host = '127.0.0.1') {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// ── Waiting ─────────────────────────────────────────────────────────────────

/**
 * Resolves with the first value of `check()` that is neither undefined nor
 * false, polling every `intervalMs`: waiting on an observable condition,
 * never a fixed sleep. Rejects after `timeoutMs`, naming `what`.
 */
export async function waitFor(check, what = 'condition', timeoutMs = 30_000, intervalMs = 20) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// ── Server-Sent Events ──────────────────────────────────────────────────────

/**
 * A real SSE client over fetch. It parses the stream as the EventSource
 * specification does (`event`, `data` over several lines, `id`, comments)
 * and lets a test wait for the event it needs. `data` is JSON-parsed when it
 * parses, else kept as text.
 */
export class SseClient {
  events = [];
  status = 0;
  headers = null;
  #controller = new AbortController();
  #waiters = [];
  #opened;
  #done;

  constructor(url, headers = {}) {
    let opened;
    this.#opened = new Promise((resolve) => (opened = resolve));
    this.#done = this.#read(url, headers, opened);
  }

  async #read(url, headers, opened) {
    try {
      const res = await fetch(url, {
        headers: { accept: 'text/event-stream', ...headers },
        signal: this.#controller.signal,
      });
      this.status = res.status;
      this.headers = res.headers;
      opened();
      if (!res.body) return;
      const decoder = new TextDecoder();
      let buffer = '';
      const reader = res.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let at;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          this.#parse(buffer.slice(0, at));
          buffer = buffer.slice(at + 2);
        }
      }
    } catch (error) {
      opened();
      if (error?.name !== 'AbortError') throw error;
    }
  }

  #parse(block) {
    const message = { event: 'message', data: '' };
    const data = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'event') message.event = value;
      else if (name === 'data') data.push(value);
      else if (name === 'id') message.id = value;
    }
    if (data.length === 0) return;
    const text = data.join('\n');
    try {
      message.data = JSON.parse(text);
    } catch {
      message.data = text;
    }
    this.events.push(message);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(message)) return true;
      w.resolve(message);
      return false;
    });
  }

  /** Resolves once the response head arrived (then `status` and `headers` are set). */
  opened() {
    return this.#opened;
  }

  /** Resolves with the first event, already received or future, that matches. */
  waitFor(match, what = 'event', timeoutMs = 30_000) {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** The `message` of every `log` event's data, in order. */
  logs() {
    return this.events.filter((e) => e.event === 'log').map((e) => e.data.message);
  }

  /** Resolves when the server ends the stream (or `close()` aborts it). */
  ended() {
    return this.#done;
  }

  close() {
    this.#controller.abort();
  }
}

// ── Fixture services (markpact Markdown, run by @pactown/sandbox) ───────────

const FENCE = '```';

function markpact(title, file, source, run) {
  return `# ${title}\n\n${FENCE}javascript markpact:file path=${file}\n${source}\n${FENCE}\n\n${FENCE}bash markpact:run\n${run}\n${FENCE}\n`;
}

/**
 * A dependency-free Node HTTP service: prints `lines` numbered lines
 * (`<prefix> <i>`, on stderr with `stderr: true`), then `ready` once it
 * listens on `MARKPACT_PORT`; optionally prints `extra` lines and exits with
 * code 3 after `exitAfterMs`.
 */
export function nodeService(options = {}) {
  const lines = options.lines ?? 0;
  const prefix = JSON.stringify(options.prefix ?? 'line');
  const print = options.stderr ? 'console.error' : 'console.log';
  const extra = (options.print ?? []).map((l) => `console.log(${JSON.stringify(l)});`).join('\n');
  const exit =
    options.exitAfterMs === undefined
      ? ''
      : `setTimeout(() => { console.error('fatal: giving up'); process.exit(3); }, ${options.exitAfterMs});`;
  return markpact(
    'Test service',
    'server.mjs',
    `import http from 'node:http';
for (let i = 0; i < ${lines}; i++) ${print}(${prefix} + ' ' + i);
${extra}
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.MARKPACT_PORT), () => {
  console.log('ready');
  ${exit}
});`,
    'node server.mjs',
  );
}

/** A Node service that writes `text` to stderr and exits with `code` before it listens. */
export function crashingService(options = {}) {
  const text = JSON.stringify(options.stderr ?? 'Error: boom');
  return markpact(
    'Crashing service',
    'crash.mjs',
    `process.stderr.write(${text} + '\\n');\nprocess.exit(${options.code ?? 1});`,
    'node crash.mjs',
  );
}

/** A Node service that prints `count` lines of `bytes` characters as fast as it can, and never gets ready. */
export function floodService(options = {}) {
  const count = options.count ?? 100_000;
  const width = options.bytes ?? 80;
  return markpact(
    'Flooding service',
    'flood.mjs',
    `const pad = 'x'.repeat(${width});
let i = 0;
function more() {
  while (i < ${count}) {
    if (!process.stdout.write('flood ' + i++ + ' ' + pad + '\\n')) return process.stdout.once('drain', more);
  }
}
more();
setInterval(() => {}, 1000);`,
    'node flood.mjs',
  );
}

// ── Child processes ─────────────────────────────────────────────────────────

/**
 * Runs a real child process to its end and collects its output: resolves
 * with `{ code, signal, stdout, stderr }` once its pipes are closed (it
 * rejects only when the process cannot be started). `input` is written to
 * its stdin, which is then closed; without it stdin is ignored. `timeoutMs`
 * kills it (SIGKILL) and says so in the rejection.
 */
export async function runChild(command, args = [], options = {}) {
  const { spawn } = await import('node:child_process');
  const { input, timeoutMs, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...spawnOptions,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) reject(new Error(`${command} did not end within ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`));
      else resolve({ code, signal, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

/** Whether a process with this PID runs (exists and, on Linux, is not a zombie waiting for its parent). */
export function pidAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, owned by another user.
    if (error?.code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    // No /proc (not Linux), or it ended between the two checks.
    return process.platform !== 'linux';
  }
}
