// One benchmark producer process. Usage:
//   node producer.mjs <kind> <scenario> <url> <count|seconds> [rate]
// kind: ours | pino-loki | winston-loki | devnull | parse-only (a pino transport that only parses its lines)
// scenario: throughput (log <count> lines, stay alive), end (log <count> lines, then end the transport and exit),
//           outage (log <rate> lines/s for <seconds>, report peak RSS), cpu (log <count> lines, report main-thread CPU)
import { once } from 'node:events';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import winston from 'winston';
import WinstonLoki from 'winston-loki';
import { line } from './workload.mjs';

const [kind, scenario, url, amount, rate = '10000'] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
// When the parse-only transport has parsed every line (its worker's clock).
let parsed;

/** CPU time of this process's main thread in ms (from /proc; falls back to wall time where there is none). */
function mainThreadCpuMs() {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return now();
  }
}

async function makeLogger() {
  if (kind === 'winston-loki') {
    // winston-loki's own wire format (protobuf, compressed with the native `snappy` package it
    // installs); only the batching interval is set, to pino-loki's 1 s. `json: true` is ~1.5x slower.
    const transport = new WinstonLoki({ host: url, batching: true, interval: 1, labels: { service: 'api' }, onConnectionError: () => {} });
    const logger = winston.createLogger({ level: 'debug', transports: [transport] });
    return {
      log: (i) => {
        const [method, name, fields, msg] = line(i);
        logger.log({ level: method, message: msg, logger: name, ...fields });
      },
      end: async () => {
        await transport.flush().catch(() => {});
        logger.close();
      },
    };
  }
  let stream;
  // BENCH_YOUNG_MB caps the worker's young generation (pino passes `worker` to the Worker constructor).
  const worker = process.env.BENCH_YOUNG_MB ? { resourceLimits: { maxYoungGenerationSizeMb: Number(process.env.BENCH_YOUNG_MB) } } : undefined;
  if (kind === 'ours') stream = pino.transport({ target: '@pactown/loki-transport', options: { url, labels: { service: 'api' }, metricsInterval: 0 }, worker });
  else if (kind === 'pino-loki') stream = pino.transport({ target: 'pino-loki', options: { host: url, batching: { interval: 1, maxBufferSize: Number.MAX_SAFE_INTEGER }, labels: { service: 'api' }, silenceErrors: true }, worker });
  else if (kind === 'parse-only') stream = pino.transport({ target: fileURLToPath(new URL('./parse-only.mjs', import.meta.url)), options: { count: Number(amount) }, worker });
  else stream = pino.destination({ dest: '/dev/null', sync: false });
  if (kind === 'parse-only') {
    // pino's worker does not keep the process alive; this timer does, until the report.
    const alive = setInterval(() => {}, 1000);
    parsed = once(stream, 'parsed').then(([at]) => {
      clearInterval(alive);
      return at;
    });
  }
  // A running logger: the worker thread has started before the clock does (winston-loki has no worker).
  if (kind !== 'devnull') await once(stream, 'ready');
  const base = pino({ level: 'debug' }, stream);
  const loggers = new Map();
  const get = (name) => {
    let l = loggers.get(name);
    if (!l) loggers.set(name, (l = base.child({ name })));
    return l;
  };
  return {
    log: (i) => {
      const [method, name, fields, msg] = line(i);
      get(name)[method](fields, msg);
    },
    end: async () => {
      if (kind === 'devnull') return stream.flushSync();
      const closed = once(stream, 'close');
      stream.end();
      await closed;
    },
  };
}

const logger = await makeLogger();
const report = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

if (scenario === 'outage') {
  const seconds = Number(amount);
  const perTick = Number(rate) / 100;
  // Start the worker and its modules first: the baseline is a running logger.
  for (let i = 0; i < 2000; i++) logger.log(i);
  await new Promise((r) => setTimeout(r, 1500));
  const rssStart = process.memoryUsage().rss;
  let rssPeak = rssStart;
  let i = 0;
  const started = now();
  const timer = setInterval(() => {
    for (let k = 0; k < perTick; k++) logger.log(i++);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    if (now() - started >= seconds * 1000) {
      clearInterval(timer);
      report({ lines: i, rssStart, rssPeak });
      setInterval(() => {}, 1000);
    }
  }, 10);
} else {
  const n = Number(amount);
  // Warm up the logger (worker start, JIT) outside the measured part.
  if (scenario === 'cpu') {
    for (let i = 0; i < 2000; i++) logger.log(i);
    await new Promise((r) => setTimeout(r, 500));
  }
  const cpu0 = mainThreadCpuMs();
  const t0 = now();
  for (let i = 0; i < n; i++) logger.log(i);
  const loopMs = now() - t0;
  const cpuMs = mainThreadCpuMs() - cpu0;
  report({ t0, loopMs, cpuMs, ...(parsed ? { parsedAt: await parsed } : {}) });
  if (scenario === 'end' || scenario === 'cpu') {
    await logger.end();
    process.exit(0);
  }
  setInterval(() => {}, 1000);
}
