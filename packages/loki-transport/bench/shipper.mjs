// One contender of the Loki race, in a process of its own:
//   node shipper.mjs '<json>'  with {kind, variant, url, mode, lines | rate + seconds}
// mode burst:  logs `lines` lines in one loop, reports, and stays alive until killed.
// mode steady: logs `rate` lines/s for `seconds` s on a 1 ms timer, waits `settleMs` (its batch
//              timer + 1 s) and then until the process is idle, so lines leave as they would in
//              a running process rather than through the flush at exit; ends the logger (which
//              flushes it), reports its CPU and exits.
// The report is one JSON line on stdout, written completely before the process exits (the
// harness takes it whether the contender exits afterwards or not). Nothing here counts, decodes or waits for the
// receiver: the harness does that after the run, from the bodies the sink stored.
import { once } from 'node:events';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeReport } from '@pactown/bench/children';
import pino from 'pino';
import winston from 'winston';
import WinstonLoki from 'winston-loki';
import { settings } from './contenders.mjs';
import { line } from './workload.mjs';

const job = JSON.parse(process.argv[2]);
const { kind, variant, url } = job;
const now = () => performance.timeOrigin + performance.now();

/** CPU of this process's main (logging) thread in ms, from /proc. */
function mainThreadCpuMs() {
  const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** CPU of the whole process (every thread) in ms. */
function processCpuMs() {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

async function makeLogger() {
  const options = settings(kind, variant);
  if (kind === 'winston-loki') {
    const transport = new WinstonLoki({ host: url, ...options, onConnectionError: () => {} });
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
  let parsed;
  // BENCH_OURS_TARGET: another build of ours (a file path), for A/B runs of two builds (bench/ab.ts).
  if (kind === 'ours')
    stream = pino.transport({
      target: process.env.BENCH_OURS_TARGET || '@pactown/loki-transport',
      options: { url, ...options },
    });
  else if (kind === 'pino-loki') stream = pino.transport({ target: 'pino-loki', options: { host: url, ...options } });
  else if (kind === 'parse-only') {
    stream = pino.transport({
      target: fileURLToPath(new URL('./parse-only.mjs', import.meta.url)),
      options: { count: job.lines ?? job.rate * job.seconds },
    });
    parsed = once(stream, 'parsed').then(([at]) => at);
  } else stream = pino.destination(options);
  // The clock starts with a running logger: pino's worker has loaded its target.
  if (kind !== 'devnull') await once(stream, 'ready');
  const base = pino({ level: 'debug' }, stream);
  const loggers = new Map();
  const get = (name) => {
    let l = loggers.get(name);
    if (!l) loggers.set(name, (l = base.child({ name })));
    return l;
  };
  return {
    parsed,
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
const keepAlive = setInterval(() => {}, 1000);

if (job.mode === 'burst') {
  const cpu0 = processCpuMs();
  const main0 = mainThreadCpuMs();
  const t0 = now();
  for (let i = 0; i < job.lines; i++) logger.log(i);
  const loopMs = now() - t0;
  const mainCpuMs = mainThreadCpuMs() - main0;
  const parsedAt = logger.parsed ? await logger.parsed : undefined;
  await writeReport({ t0, loopMs, mainCpuMs, cpuMs: processCpuMs() - cpu0, parsedAt });
} else {
  // Offered load: line i is due at t0 + i / rate. Each 1 ms tick logs every line due by
  // then (a late tick catches up), and the tick's time is the log-call time of its lines.
  const total = Math.round(job.rate * job.seconds);
  const ticks = [];
  let i = 0;
  const cpu0 = processCpuMs();
  const main0 = mainThreadCpuMs();
  const t0 = now();
  await new Promise((resolve) => {
    const tick = () => {
      const t = now();
      const due = Math.min(total, Math.floor(((t - t0) * job.rate) / 1000) + 1);
      if (due > i) {
        ticks.push(i, t - t0);
        while (i < due) logger.log(i++);
      }
      if (i >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const loggedAt = now();
  const mainCpuMs = mainThreadCpuMs() - main0;
  const parsedAt = logger.parsed ? await logger.parsed : undefined;
  await new Promise((r) => setTimeout(r, job.settleMs ?? 0));
  // A shipper still working through a backlog is not cut short by the flush at exit:
  // wait (at most 60 s) until the process uses under 5% of a core over half a second.
  for (let waited = 0, before = processCpuMs(); waited < 60_000; waited += 500) {
    await new Promise((r) => setTimeout(r, 500));
    const after = processCpuMs();
    if (after - before < 25) break;
    before = after;
  }
  await logger.end();
  const cpuMs = processCpuMs() - cpu0;
  // How far behind its schedule the producer ended (a saturated main thread cannot offer the rate).
  const behindMs = loggedAt - t0 - (1000 * total) / job.rate;
  // The report is in the pipe before the process exits (a clean exit after it is the protocol).
  await writeReport({
    t0,
    lines: total,
    wallMs: loggedAt - t0,
    behindMs,
    mainCpuMs,
    cpuMs,
    endMs: now() - loggedAt,
    parsedAt,
    ticks,
  });
  clearInterval(keepAlive);
  process.exit(0);
}
