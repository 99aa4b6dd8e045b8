import { type ChildProcess, spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { printTable, track, verdict, verdictValue } from '@pactown/bench';
import { type ServerSample, startBenchServer } from './server.js';

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
 * Reads an SSE stream, calling `onData` with each event's data (`gap` events included: the
 * lines the app says it dropped for this client). When the stream ends or fails before
 * `until` says so, it reconnects with `Last-Event-ID`, as a browser does, and counts the
 * reconnection.
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
  // Each pause removes its abort listener when it ends, so a long soak does not pile them up on the signal.
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
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
    // sandbox.log must keep every line of the run (about 60 bytes a line): rotation past it would count as missing.
    PACTOWN_SANDBOX_LOG_MAX_BYTES: String(64 * 1024 * 1024),
    PACTOWN_SANDBOX_LOG_BACKUPS: String(
      Math.max(5, Math.ceil((services * perSecond * seconds * 3 * 60) / (64 * 1024 * 1024))),
    ),
  });
  const tags = Array.from({ length: services }, (_, k) => `s${k}`);
  const sse = new Map(tags.map((t) => [t, new Seen()]));
  const totals = new Map<string, number>();
  const stopped = new Map<string, () => void>();
  const ended = new Map<string, () => void>();
  const aborter = new AbortController();
  // Every stream's fetch (and each reconnection's) listens on this one signal.
  setMaxListeners(services * 4 + 10, aborter.signal);
  const reconnects = { count: 0 };
  // Lines the app said (event: gap) it dropped for a client: too slow a reader, or resumed past the history.
  const gaps = { slowClient: 0, history: 0 };
  // The app's own figures from its /metrics every 5 s (soak only): heap, external memory, handles, Loki queue.
  const samples: Array<[number, ServerSample]> = [];
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
          if (event === 'gap') gaps[data.reason === 'history' ? 'history' : 'slowClient'] += Number(data.dropped);
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
    let tick = 0;
    const sampler = setInterval(() => {
      void rssOf(server.child.pid!).then((b) => rss.push([(performance.now() - t0) / 1000, b]));
      // The app's /metrics every 5 s: a scrape a second slowed the app it measures.
      if (flapping && tick++ % 5 === 0)
        void server
          .sample()
          .then((m) => samples.push([(performance.now() - t0) / 1000, m]))
          .catch(() => undefined);
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
    // What the app counts as left out before the signal (its /health), then its own summary at exit.
    const before = ((await (await fetch(`${server.url}/health`)).json()) as { dropped: Record<string, number> })
      .dropped;
    // SIGTERM flushes the Loki transport and the files before the process exits.
    await server.stop();
    const leftOut = leftOutAtShutdown(server.stderr()) ?? before;

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
    // Loss the app reported, per destination: SSE by its gap events, Loki by the client's drop counters.
    const lokiReported = Object.entries(leftOut)
      .filter(([r]) => r.startsWith('loki_'))
      .reduce((n, [, v]) => n + v, 0);
    const sseReported = gaps.slowClient + gaps.history;
    const reasons = (entries: Array<[string, number]>) =>
      entries
        .filter(([, n]) => n > 0)
        .map(([r, n]) => `${r}=${n}`)
        .join(' ') || 'none';
    const silent = (lost: number, reported: number) => Math.max(0, lost - reported);
    printTable(
      `${services} services x ${perSecond} lines/s for ${seconds} s: delivery and app CPU`,
      ['destination', 'lines expected', 'lines received', 'missing', 'reported lost (reason)', 'missing, not reported'],
      [
        [
          `SSE clients (${reconnects.count} reconnections with Last-Event-ID)`,
          expected,
          tags.reduce((n, t) => n + sse.get(t)!.count, 0),
          missing(sse),
          `${sseReported} (${reasons([
            ['gap slow_client', gaps.slowClient],
            ['gap history', gaps.history],
          ])})`,
          silent(missing(sse), sseReported),
        ],
        [
          'Loki receiver',
          expected,
          tags.reduce((n, t) => n + pushed.get(t)!.count, 0),
          missing(pushed),
          `${lokiReported} (${reasons(Object.entries(leftOut).filter(([r]) => r.startsWith('loki_')))}; app lines included)`,
          silent(missing(pushed), lokiReported),
        ],
        [
          'sandbox.log (+ rotated)',
          expected,
          tags.reduce((n, t) => n + filed.get(t)!.count, 0),
          missing(filed),
          '0',
          missing(filed),
        ],
      ],
    );
    printTable(
      'App process CPU while streaming (the services and the receiver run in other processes)',
      ['wall s', 'app cpu s', 'cores used', 'lines/s through the app'],
      [[wall, s1.cpu - s0.cpu, cores, (s1.lines - s0.lines) / wall]],
    );
    const lossless = missing(sse) + missing(pushed) + missing(filed) === 0;
    verdictValue(
      'lines missing without a word (not in a gap event or a drop counter)',
      silent(missing(sse), sseReported) + silent(missing(pushed), lokiReported) + missing(filed),
      { atMost: 0 },
      '',
      `SSE ${silent(missing(sse), sseReported)}, receiver ${silent(missing(pushed), lokiReported)}, sandbox.log ${missing(filed)}`,
    );
    verdictValue(
      'lines missing at any destination',
      missing(sse) + missing(pushed) + missing(filed),
      { atMost: 0 },
      '',
      `SSE ${missing(sse)}, receiver ${missing(pushed)}, sandbox.log ${missing(filed)} of ${expected} each`,
    );
    if (flapping) {
      const MiB = 2 ** 20;
      // Warm-up is the first quarter (two and a half flapping cycles): the queue has filled and
      // drained, the heap and the allocator have reached their working size. Flat means the RSS
      // stops there: its peak in the last quarter is near the warm-up's, and its trend after
      // warm-up (least squares over every second's sample) is about zero.
      const warm = wall / 4;
      const firstQuarter = rss.filter((r) => r[0] <= warm).map((r) => r[1]);
      const lastQuarter = rss.filter((r) => r[0] >= (3 * wall) / 4).map((r) => r[1]);
      const growth = (Math.max(...lastQuarter) - Math.max(...firstQuarter)) / MiB;
      const slope = slopePerMinute(rss.filter((r) => r[0] >= warm)) / MiB;
      const peakIn = (pick: (m: ServerSample) => number, from: number, to: number) =>
        Math.max(0, ...samples.filter((r) => r[0] >= from && r[0] <= to).map((r) => pick(r[1])));
      const extSlope = slopePerMinute(samples.filter((r) => r[0] >= warm).map((r) => [r[0], r[1].external])) / MiB;
      const rssAt = (t: number) => rss.reduce((a, b) => (Math.abs(b[0] - t) < Math.abs(a[0] - t) ? b : a))[1] / MiB;
      printTable(
        'App memory while the receiver flaps: RSS sampled every second; heap, external memory (Buffers), handles and the Loki queue from its /metrics every 5 s',
        ['measure', 'first quarter (warm-up)', 'last quarter', 'trend after warm-up'],
        [
          [
            'RSS, MiB (at the start / at warm-up end; at the end)',
            `${(rss[0] ? rss[0][1] / MiB : 0).toFixed(1)} / ${rssAt(warm).toFixed(1)}`,
            rssAt(wall),
            `${slope.toFixed(2)} MiB/min`,
          ],
          [
            'peak RSS, MiB',
            Math.max(...firstQuarter) / MiB,
            Math.max(...lastQuarter) / MiB,
            `${growth.toFixed(1)} MiB growth`,
          ],
          [
            'peak heap used, MiB',
            peakIn((m) => m.heapUsed, 0, warm) / MiB,
            peakIn((m) => m.heapUsed, 3 * warm, wall) / MiB,
            '',
          ],
          [
            'peak external memory, MiB',
            peakIn((m) => m.external, 0, warm) / MiB,
            peakIn((m) => m.external, 3 * warm, wall) / MiB,
            `${extSlope.toFixed(2)} MiB/min`,
          ],
          ['peak active handles', peakIn((m) => m.handles, 0, warm), peakIn((m) => m.handles, 3 * warm, wall), ''],
          [
            'peak Loki queue, MiB',
            peakIn((m) => m.lokiQueueBytes, 0, warm) / MiB,
            peakIn((m) => m.lokiQueueBytes, 3 * warm, wall) / MiB,
            '',
          ],
        ],
      );
      console.log(
        `peak RSS: ${(rssPeak / MiB).toFixed(1)} MiB; Loki push retries: ${samples.at(-1)?.[1].lokiRetries ?? 0}`,
      );
      console.log(`lines the app counted as left out, by reason: ${reasons(Object.entries(leftOut))}`);
      console.log(`faults: ${faultLog.join('; ')}`);
      verdictValue('RSS growth from the first to the last quarter (flat)', growth, { atMost: 32 }, ' MiB');
      verdictValue('RSS trend after warm-up (flat)', slope, { atMost: 2 }, ' MiB/min');
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

/** The least-squares slope of `[seconds, value]` points, per minute (0 with fewer than two). */
function slopePerMinute(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : (sxy / sxx) * 60;
}

/** The app's last stderr summary of the lines it left out (`reason=N ...`), or null when it printed none. */
function leftOutAtShutdown(stderr: string): Record<string, number> | null {
  const m = /at shutdown: \d+ lines were left out in all, by reason: (.*)$/m.exec(stderr);
  if (!m) return null;
  return Object.fromEntries(
    m[1]!
      .trim()
      .split(/\s+/)
      .map((pair) => pair.split('='))
      .map(([r, n]) => [r!, Number(n)]),
  );
}

function expectTotals(tags: string[], totals: Map<string, number>): void {
  const absent = tags.filter((t) => !totals.has(t));
  if (absent.length > 0) throw new Error(`no final count from ${absent.join(', ')}`);
}
