import net from 'node:net';
import { Writable } from 'node:stream';
import { SseClient, waitFor } from '@pactown/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseConnection } from '../src/http/sse-connection.js';
import { type Harness, startHarness } from './helpers/harness.js';

/** A writable that accepts writes into its buffer but consumes nothing until released: a client that never reads. */
function stalledSink() {
  let held: Array<() => void> = [];
  let released = false;
  const chunks: string[] = [];
  const sink = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      if (released) done();
      else held.push(done);
    },
  });
  return {
    sink,
    text: () => chunks.join(''),
    release() {
      released = true;
      for (const done of held) done();
      held = [];
    },
  };
}

function parseEvents(text: string): Array<{ event: string; id?: number; data: any }> {
  return text
    .split('\n\n')
    .filter((b) => b.includes('event: '))
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)![1]!;
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      return { event, ...(id ? { id: Number(id) } : {}), data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) };
    });
}

describe('SSE clients that never read (issue 15 item 15)', () => {
  it('a connection holds at most its bound, drops the oldest lines and tells the client with event: gap', async () => {
    const { sink, text, release } = stalledSink();
    let reported = 0;
    const connection = new SseConnection(sink, 32 * 1024, (n) => (reported += n));
    let peak = 0;
    const total = 20_000;
    for (let i = 1; i <= total; i++) {
      connection.send('log', { message: `line ${i} ${'x'.repeat(100)}` }, i);
      peak = Math.max(peak, connection.queuedBytes);
      if (i === 10_000) connection.send('status', { status: 'exited' });
    }
    expect(peak).toBeLessThanOrEqual(32 * 1024);
    // The socket side holds no more than its soft limit plus one event.
    expect(sink.writableLength).toBeLessThan(64 * 1024 + 512);
    expect(connection.dropped).toBeGreaterThan(total / 2);
    expect(reported).toBe(connection.dropped);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    const events = parseEvents(text());
    const lines = events.filter((e) => e.event === 'log');
    const gaps = events.filter((e) => e.event === 'gap').reduce((n, e) => n + e.data.dropped, 0);
    expect(gaps).toBe(connection.dropped);
    expect(lines.length + gaps).toBe(total);
    // Order kept, newest line delivered, and a status event is never dropped.
    const ids = lines.map((e) => e.id!);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids.at(-1)).toBe(total);
    expect(events.filter((e) => e.event === 'status')).toHaveLength(1);
  });
});

describe('SSE connection memory follows its bound, not the lines it has seen (issue 15 soak)', () => {
  it('a client that never reads: the queue keeps as many slots as its bytes allow, not one per line', () => {
    const { sink } = stalledSink();
    const connection = new SseConnection(sink, 32 * 1024);
    let peak = 0;
    for (let i = 1; i <= 200_000; i++) {
      connection.send('log', { message: `line ${i} ${'x'.repeat(100)}` }, i);
      peak = Math.max(peak, connection.queueSlots);
    }
    expect(connection.dropped).toBeGreaterThan(190_000);
    // About 150 bytes an event: 32 KiB holds some 220 of them; sent and dropped slots are compacted away.
    expect(peak).toBeLessThan(1_000);
  });

  it('a client that reads but stays behind: sent slots do not pile up in front of the queue', async () => {
    // The socket takes a write only every few milliseconds, and more lines come all the time.
    const sink = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, done) {
        setTimeout(done, 0);
      },
    });
    const connection = new SseConnection(sink, 256 * 1024);
    let peak = 0;
    let sent = 0;
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      for (let k = 0; k < 50; k++) connection.send('log', { message: `line ${++sent} ${'y'.repeat(200)}` }, sent);
      peak = Math.max(peak, connection.queueSlots);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The queue never emptied, so without compaction it would hold a slot for every line sent.
    expect(connection.queuedBytes).toBeGreaterThan(0);
    expect(sent).toBeGreaterThan(20_000);
    expect(peak).toBeLessThan(3_000);
    sink.destroy();
  });
});

const fence = '```';
const FLOODER = `# Flooder

${fence}javascript markpact:file path=flood.mjs
import http from 'node:http';
const pad = 'f'.repeat(1000);
http.createServer((req, res) => {
  const n = Number(new URL(req.url, 'http://x').searchParams.get('n') || 0);
  let i = 0;
  const more = () => {
    while (i < n) if (!process.stdout.write('flood ' + ++i + ' ' + pad + '\\n')) return process.stdout.once('drain', more);
    res.end('done');
  };
  more();
}).listen(Number(process.env.MARKPACT_PORT), () => console.log('ready'));
${fence}

${fence}bash markpact:run
node flood.mjs
${fence}
`;

describe('SSE over HTTP: bounded buffers and connection limits', () => {
  let h: Harness;
  const ALICE = 'alice-token-1234';
  const BOB = 'bob-token-12345';
  beforeAll(async () => {
    h = await startHarness({
      loki: false,
      env: {
        PACTOWN_API_TOKENS: `alice:${ALICE},bob:${BOB}`,
        PACTOWN_SSE_BUFFER_BYTES: String(64 * 1024),
        PACTOWN_SSE_MAX_PER_USER: '2',
        PACTOWN_SSE_MAX_CONNECTIONS: '3',
      },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('a client that never reads costs the app a bounded buffer, then gets a gap and the newest lines', async () => {
    const run = await h.request('POST', '/run', { service_id: 'flood', content: FLOODER }, ALICE);
    expect(run.body.success).toBe(true);
    const url = new URL(`${h.url}/services/flood/logs`);
    const socket = net.connect(Number(url.port), url.hostname);
    let received = '';
    socket.setEncoding('utf8');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `GET /services/flood/logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ALICE}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    await new Promise((resolve) => socket.once('data', (chunk) => resolve((received += chunk))));
    socket.pause();
    const before = h.app.context.hub.publishedLines;
    const lines = 20_000;
    // 20 MB of lines while the client reads nothing.
    let peak = 0;
    let peakSlots = 0;
    const sampler = setInterval(() => {
      for (const c of h.app.context.sse.connections) {
        peak = Math.max(peak, c.queuedBytes);
        peakSlots = Math.max(peakSlots, c.queueSlots);
      }
    }, 5);
    await fetch(`http://127.0.0.1:${run.body.port}/?n=${lines}`).then((r) => r.text());
    await waitFor(() => h.app.context.hub.publishedLines - before >= lines, 'the flood through the hub', 60_000);
    clearInterval(sampler);
    expect(peak).toBeLessThanOrEqual(64 * 1024);
    // 64 KiB holds about 60 of these 1 KB lines: the queue's slots stay near that, not one per line.
    expect(peakSlots).toBeLessThan(1_000);
    const metrics = (await h.request('GET', '/metrics', undefined, ALICE)).text;
    const dropped = Number(
      /^pactown_runner_dropped_lines_total\{reason="sse_slow_client"\} (\d+)$/m.exec(metrics)?.[1],
    );
    expect(dropped).toBeGreaterThan(0);
    expect((await h.request('GET', '/health')).body.dropped.sse_slow_client).toBe(dropped);

    socket.on('data', (chunk) => (received += chunk));
    socket.resume();
    await waitFor(() => received.includes(`flood ${lines} `), 'the newest line', 60_000);
    socket.destroy();
    const body = received.slice(received.indexOf('\r\n\r\n') + 4).replace(/\r\n[0-9a-f]+\r\n/g, '');
    const events = parseEvents(body.replace(/^[0-9a-f]+\r\n/gm, ''));
    const flood = events.filter((e) => e.event === 'log' && /^flood \d+ /.test(e.data.message));
    const gaps = events.filter((e) => e.event === 'gap');
    expect(gaps.length).toBeGreaterThan(0);
    const gapTotal = gaps.reduce((n, e) => n + e.data.dropped, 0);
    expect(gapTotal).toBe(dropped);
    // Each flood line either arrived or is in a gap count.
    expect(flood.length + gapTotal).toBeGreaterThanOrEqual(lines);
    expect(flood.length).toBeLessThan(lines);
  });

  it('refuses a stream past the per-user and the total limits with 429', async () => {
    const run = await h.request('POST', '/run', { service_id: 'watched', content: FLOODER }, BOB);
    expect(run.body.success).toBe(true);
    await waitFor(() => h.app.context.sseClients === 0, 'earlier streams closed');
    const open = async (token: string) => {
      const c = new SseClient(`${h.url}/services/watched/logs`, { authorization: `Bearer ${token}` });
      await c.opened();
      return c;
    };
    const b1 = await open(BOB);
    const b2 = await open(BOB);
    const b3 = await open(BOB);
    expect([b1.status, b2.status, b3.status]).toEqual([200, 200, 429]);
    await b3.ended();
    expect(b3.events).toEqual([]);
    // alice may not see bob's service (404), so she opens one on her own.
    const a1 = await open(ALICE);
    expect(a1.status).toBe(404);
    const res = await h.request('POST', '/run', { service_id: 'alices', content: FLOODER }, ALICE);
    expect(res.body.success).toBe(true);
    const mine = new SseClient(`${h.url}/services/alices/logs`, { authorization: `Bearer ${ALICE}` });
    await mine.opened();
    expect(mine.status).toBe(200);
    const over = new SseClient(`${h.url}/services/alices/logs`, { authorization: `Bearer ${ALICE}` });
    await over.opened();
    expect(over.status).toBe(429);
    b1.close();
    await waitFor(() => h.app.context.sseClients === 2, 'one stream closed');
    const again = new SseClient(`${h.url}/services/alices/logs`, { authorization: `Bearer ${ALICE}` });
    await again.opened();
    expect(again.status).toBe(200);
    for (const c of [b2, mine, again, over, a1, b3]) c.close();
  });
});
