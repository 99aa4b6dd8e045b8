import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { printTable, track, verdict, verdictValue } from '@pactown/bench';
import { startBenchServer } from './server.js';

const FENCE = '```';

/**
 * A service printing `perSecond` numbered lines a second from `GET /go`
 * (so every line comes after its log stream is open) until `GET /end`, which
 * prints its total and answers with it.
 */
function chattyService(tag: string, perSecond: number): string {
  return `# chatty

${FENCE}javascript markpact:file path=server.mjs
import http from 'node:http';
let i = 0;
let timer;
http.createServer((req, res) => {
  if (req.url === '/end') { clearInterval(timer); console.log('total ${tag} ' + i); res.end(String(i)); return; }
  if (req.url === '/go' && !timer) {
    // Catch up with the clock each tick, so timer drift on a busy machine does not lower the rate.
    const start = Date.now();
    timer = setInterval(() => { const due = Math.floor(((Date.now() - start) * ${perSecond}) / 1000); while (i < due) console.log('${tag} ' + i++); }, 10);
  }
  res.end('ok');
}).listen(Number(process.env.MARKPACT_PORT));
${FENCE}

${FENCE}bash markpact:run
node server.mjs
${FENCE}
`;
}

/**
 * Reads an SSE stream, calling `onData` with each event's data. When the app cuts a slow
 * client off (`overflow`) or the stream ends before `until` says so, it reconnects with
 * `Last-Event-ID`, as a browser does, and counts the reconnection.
 */
async function readSse(
  url: string,
  signal: AbortSignal,
  onData: (event: string, data: any) => void,
  until: () => boolean,
  reconnects: { count: number },
): Promise<void> {
  let lastId = 0;
  while (!signal.aborted && !until()) {
    try {
      const res = await fetch(url, { signal, headers: lastId > 0 ? { 'last-event-id': String(lastId) } : {} });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          if (id) lastId = Number(id);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data) onData(event, JSON.parse(data));
        }
      }
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (!signal.aborted && !until()) reconnects.count++;
  }
}

class Seen {
  #bits = new Uint8Array(1 << 20);
  count = 0;
  add(i: number): void {
    if (this.#bits[i] === 0) this.count++;
    this.#bits[i] = 1;
  }
  missing(total: number): number {
    let n = 0;
    for (let i = 0; i < total; i++) if (this.#bits[i] === 0) n++;
    return n;
  }
}

/** The soak's faults: each cycle the receiver is down for a sixth, then a 429 storm, then 5 s answers for a sixth. */
export interface Flapping {
  cycleSeconds: number;
}

/** The receiver process (bench/receiver-process.ts), driven over its stdin. */
class RemoteReceiver {
  #child: ChildProcess;
  #lines: AsyncIterator<string>;
  #queue: Promise<unknown> = Promise.resolve();
  url = '';
  isDown = false;
  constructor() {
    // Killed with the benchmark whatever way it ends (it has no children of its own).
    this.#child = track(
      spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./receiver-process.ts', import.meta.url))], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    this.#lines = createInterface({ input: this.#child.stdout! })[Symbol.asyncIterator]();
  }
  async start(): Promise<this> {
    this.url = (JSON.parse((await this.#lines.next()).value) as { url: string }).url;
    return this;
  }
  /** Sends one command and waits for its answer (commands run one at a time). */
  call(cmd: Record<string, unknown>): Promise<any> {
    const next = this.#queue.then(async () => {
      this.#child.stdin!.write(`${JSON.stringify(cmd)}\n`);
      return JSON.parse((await this.#lines.next()).value);
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }
  async down(): Promise<void> {
    this.isDown = (await this.call({ cmd: 'down' })).down;
  }
  async up(): Promise<void> {
    this.isDown = (await this.call({ cmd: 'up' })).down;
  }
  async failNext(count: number, status: number, retryAfter?: number): Promise<void> {
    await this.call({ cmd: 'fail', count, status, retryAfter });
  }
  async setLatency(ms: number): Promise<void> {
    await this.call({ cmd: 'latency', ms });
  }
  async count(): Promise<number> {
    return (await this.call({ cmd: 'count' })).count;
  }
  async seen(pattern: string): Promise<Record<string, number[]>> {
    return (await this.call({ cmd: 'lines', pattern })).seen;
  }
  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin!.end();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}

/** A progress line on stderr (the tables go to stdout). */
function progress(text: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/** RSS of a process in bytes, from /proc (0 where there is none). */
async function rssOf(pid: number): Promise<number> {
  try {
    const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * `promise`, or `fallback` after `ms`; the timer is cleared when the promise wins, so a finished
 * benchmark does not stay alive waiting for it (it used to, up to two minutes).
 */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the receiver's faults for one cycle after another until `signal` aborts, and
 * writes what it does to `log`. The receiver is always up again when it returns.
 */
async function flap(receiver: RemoteReceiver, f: Flapping, signal: AbortSignal, log: string[]): Promise<void> {
  const sixth = (f.cycleSeconds * 1000) / 6;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(resolve, ms);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  const t0 = performance.now();
  const at = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
  try {
    while (!signal.aborted) {
      await receiver.down();
      log.push(`${at()} down`);
      await pause(sixth);
      await receiver.up();
      log.push(`${at()} up`);
      if (signal.aborted) break;
      await pause(sixth);
      await receiver.failNext(50, 429, 1);
      log.push(`${at()} 429 for the next 50 pushes`);
      await pause(sixth);
      await receiver.setLatency(5000);
      log.push(`${at()} 5 s latency`);
      await pause(sixth);
      await receiver.setLatency(0);
      await receiver.failNext(0, 429);
      log.push(`${at()} normal`);
      await pause(2 * sixth);
    }
  } finally {
    if (receiver.isDown) await receiver.up();
    await receiver.setLatency(0);
    await receiver.failNext(0, 429);
  }
}

/**
 * 10 services x 1,000 lines/s streamed to SSE clients and to a Loki-compatible
 * receiver for 30 s (scaled by BENCH_SCALE): every line must arrive at every
 * destination, and the app must use less than one core. With `flapping` (the
 * soak) the receiver goes down, answers 429 and answers slowly in cycles, and the
 * app's RSS is sampled every second.
 */
export async function benchStreaming(
  services = 10,
  perSecond = 1000,
  seconds = 30,
  flapping?: Flapping,
): Promise<boolean> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'pactown-bench-stream-'));
  const receiver = await new RemoteReceiver().start();
  const server = await startBenchServer({
    PACTOWN_HOME: home,
    LOKI_URL: receiver.url,
    PACTOWN_MAX_SERVICES: '100',
    PACTOWN_RATE_BURST: '100',
  });
  const tags = Array.from({ length: services }, (_, k) => `s${k}`);
  const sse = new Map(tags.map((t) => [t, new Seen()]));
  const totals = new Map<string, number>();
  const stopped = new Map<string, () => void>();
  const ended = new Map<string, () => void>();
  const aborter = new AbortController();
  const reconnects = { count: 0 };
  try {
    const runs = await Promise.all(
      tags.map((t) =>
        server.post('/run', { service_id: `stream-${t}`, user_id: 'bench', content: chattyService(t, perSecond) }),
      ),
    );
    if (runs.some((r) => !r.success))
      throw new Error(`a streaming service failed to start: ${JSON.stringify(runs.find((r) => !r.success))}`);
    const ready = new Map<string, () => void>();
    const allReady = Promise.all(tags.map((t) => new Promise<void>((resolve) => ready.set(t, resolve))));
    const streams = tags.map((t) => {
      const done = new Promise<void>((resolve) => stopped.set(t, resolve));
      let isStopped = false;
      done.then(() => (isStopped = true));
      void readSse(
        `${server.url}/services/stream-${t}/logs`,
        aborter.signal,
        (event, data) => {
          if (event === 'ready') ready.get(t)!();
          if (event === 'status' && data.status === 'stopped') stopped.get(t)!();
          if (event !== 'log') return;
          const m = /^(s\d+) (\d+)$/.exec(data.message);
          if (m) sse.get(m[1]!)!.add(Number(m[2]));
          const total = /^total (s\d+) (\d+)$/.exec(data.message);
          if (total) ended.get(total[1]!)?.();
        },
        () => isStopped,
        reconnects,
      );
      return done;
    });
    await allReady;
    await Promise.all(runs.map((r) => fetch(`http://127.0.0.1:${r.port}/go`)));
    const s0 = await server.sample();
    const t0 = performance.now();
    const rss: Array<[number, number]> = [];
    const sampler = setInterval(() => {
      void rssOf(server.child.pid!).then((b) => rss.push([(performance.now() - t0) / 1000, b]));
    }, 1000);
    const faults = new AbortController();
    const faultLog: string[] = [];
    const flapped = flapping ? flap(receiver, flapping, faults.signal, faultLog) : Promise.resolve();
    progress(
      `${services} services at ${perSecond} lines/s for ${seconds} s${flapping ? `, receiver flapping every ${flapping.cycleSeconds} s` : ''}`,
    );
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    faults.abort();
    await flapped;
    progress(`faults over: ${faultLog.join('; ') || 'none'}`);
    const s1 = await server.sample();
    const wall = (performance.now() - t0) / 1000;
    const allEnded = Promise.all(tags.map((t) => new Promise<void>((resolve) => ended.set(t, resolve))));
    // Each service answers /end with how many lines it printed: the count does not depend on any destination.
    const produced = await Promise.all(
      runs.map(async (r) => Number(await (await fetch(`http://127.0.0.1:${r.port}/end`)).text())),
    );
    for (const [k, t] of tags.entries()) totals.set(t, produced[k]!);
    progress(`window over after ${wall.toFixed(0)} s; waiting for every service's total on SSE`);
    // Every line is on its way once each total has come through the SSE stream (at most 120 s).
    const totalsIn = await within(
      allEnded.then(() => true),
      120_000,
      false,
    );
    if (!totalsIn) progress("not every service's total came through SSE within 120 s");
    await Promise.all(tags.map((t) => server.post('/stop', { service_id: `stream-${t}` })));
    progress('services stopped');
    await within(Promise.all(streams), 30_000, undefined);
    aborter.abort();
    expectTotals(tags, totals);
    clearInterval(sampler);
    if (flapping) {
      // Give the transport its backlog time: wait until the receiver's count has not moved for 5 s (at most 120 s).
      for (let last = -1, still = 0, waited = 0; still < 5 && waited < 120; waited++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const now = await receiver.count();
        still = now === last ? still + 1 : 0;
        last = now;
      }
    }
    progress(`receiver holds ${await receiver.count()} lines; stopping the app`);
    const rssPeak = Math.max(...rss.map((r) => r[1]));
    // SIGTERM flushes the Loki transport and the files before the process exits.
    await server.stop();

    const pushed = new Map(tags.map((t) => [t, new Seen()]));
    for (const [tag, seqs] of Object.entries(await receiver.seen('msg="(s\\d+) (\\d+)"')))
      for (const i of seqs) pushed.get(tag)?.add(i);
    const filed = new Map(tags.map((t) => [t, new Seen()]));
    const logDir = path.join(home, 'logs');
    for (const name of (await fs.readdir(logDir)).filter((f) => f.startsWith('sandbox.log'))) {
      for (const m of (await fs.readFile(path.join(logDir, name), 'utf8')).matchAll(/: (s\d+) (\d+)$/gm))
        filed.get(m[1]!)!.add(Number(m[2]));
    }
    const expected = [...totals.values()].reduce((a, b) => a + b, 0);
    const missing = (seen: Map<string, Seen>) => tags.reduce((n, t) => n + seen.get(t)!.missing(totals.get(t)!), 0);
    const cores = (s1.cpu - s0.cpu) / wall;
    printTable(
      `${services} services x ${perSecond} lines/s for ${seconds} s: delivery and app CPU`,
      ['destination', 'lines expected', 'lines received', 'missing'],
      [
        [
          `SSE clients (${reconnects.count} reconnections with Last-Event-ID after the app cut a slow client off)`,
          expected,
          tags.reduce((n, t) => n + sse.get(t)!.count, 0),
          missing(sse),
        ],
        ['Loki receiver', expected, tags.reduce((n, t) => n + pushed.get(t)!.count, 0), missing(pushed)],
        ['sandbox.log (+ rotated)', expected, tags.reduce((n, t) => n + filed.get(t)!.count, 0), missing(filed)],
      ],
    );
    printTable(
      'App process CPU while streaming (the services and the receiver run in other processes)',
      ['wall s', 'app cpu s', 'cores used', 'lines/s through the app'],
      [[wall, s1.cpu - s0.cpu, cores, (s1.lines - s0.lines) / wall]],
    );
    const lossless = missing(sse) + missing(pushed) + missing(filed) === 0;
    verdictValue(
      'lines missing at any destination',
      missing(sse) + missing(pushed) + missing(filed),
      { atMost: 0 },
      '',
      `SSE ${missing(sse)}, receiver ${missing(pushed)}, sandbox.log ${missing(filed)} of ${expected} each`,
    );
    if (flapping) {
      const MiB = 2 ** 20;
      const firstQuarter = rss.filter((r) => r[0] <= wall / 4).map((r) => r[1]);
      const lastQuarter = rss.filter((r) => r[0] >= (3 * wall) / 4).map((r) => r[1]);
      const growth = (Math.max(...lastQuarter) - Math.max(...firstQuarter)) / MiB;
      printTable(
        'App RSS while the receiver flaps (sampled every second)',
        ['measure', 'MiB'],
        [
          ['peak RSS', rssPeak / MiB],
          ['peak in the first quarter', Math.max(...firstQuarter) / MiB],
          ['peak in the last quarter', Math.max(...lastQuarter) / MiB],
          ['growth, last quarter over first', growth],
        ],
      );
      console.log(`faults: ${faultLog.join('; ')}`);
      verdictValue('RSS growth from the first to the last quarter (flat)', growth, { atMost: 32 }, ' MiB');
      return lossless;
    }
    return verdict('app CPU / one core', cores, { atMost: 1 }) && lossless;
  } finally {
    aborter.abort();
    if (server.child.exitCode === null) await server.stop();
    await receiver.close();
    await fs.rm(home, { recursive: true, force: true });
  }
}

function expectTotals(tags: string[], totals: Map<string, number>): void {
  const absent = tags.filter((t) => !totals.has(t));
  if (absent.length > 0) throw new Error(`no final count from ${absent.join(', ')}`);
}
