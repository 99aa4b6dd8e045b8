import { spawnSync } from 'node:child_process';
import type { LokiTlsOptions } from './types.js';

/** One batch to push at exit. */
export interface ExitBatch {
  body: Buffer;
  headers: Record<string, string>;
}

/** How each batch of a synchronous push ended: null when Loki accepted it, else the reason. */
export type ExitResult = Array<string | null>;

// Runs in a child process: reads {url, tls, timeout, batches} on stdin, pushes
// the batches (four at a time) and prints "<index> ok" or "<index> <reason>" per batch.
const PUSHER = `
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const job = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const mod = require(job.url.startsWith('https:') ? 'node:https' : 'node:http');
  const one = (i) => new Promise((resolve) => {
    const b = job.batches[i];
    const body = Buffer.from(b.body, 'base64');
    const say = (what) => { process.stdout.write(i + ' ' + what.replace(/\\n/g, ' ') + '\\n'); resolve(); };
    let req;
    try {
      req = mod.request(job.url, { method: 'POST', headers: { ...b.headers, 'Content-Length': String(body.length) }, ...job.tls });
    } catch (err) { say(String(err && err.message)); return; }
    req.setTimeout(job.timeout, () => { req.destroy(); say('no answer within ' + job.timeout + ' ms'); });
    req.on('error', (err) => say(err.message));
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { if (text.length < 300) text += d; });
      res.on('end', () => say(res.statusCode >= 200 && res.statusCode < 300 ? 'ok' : 'HTTP ' + res.statusCode + ' ' + text.trim().slice(0, 200)));
    });
    req.end(body);
  });
  let next = 0;
  const worker = async () => { while (next < job.batches.length) await one(next++); };
  await Promise.all([worker(), worker(), worker(), worker()]);
});
`;

/**
 * Pushes batches synchronously, the only way left in an `'exit'` listener:
 * a short-lived child process does the HTTP requests while this one waits,
 * for at most `timeoutMs` in all.
 */
export function pushSync(url: URL, tls: LokiTlsOptions, batches: ExitBatch[], timeoutMs: number): ExitResult {
  const results: ExitResult = batches.map(() => `no answer within drainTimeout (${timeoutMs} ms) at exit`);
  if (batches.length === 0) return results;
  const job = JSON.stringify({
    url: url.href,
    tls,
    timeout: Math.max(1, timeoutMs),
    batches: batches.map((b) => ({ headers: b.headers, body: b.body.toString('base64') })),
  });
  const env = { ...process.env };
  // The pusher needs none of the app's preloads or flags.
  delete env.NODE_OPTIONS;
  const run = spawnSync(process.execPath, ['-e', PUSHER], {
    input: job,
    timeout: Math.max(1, timeoutMs),
    killSignal: 'SIGKILL',
    env,
    stdio: ['pipe', 'pipe', 'ignore'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.error !== undefined && run.stdout === null) {
    const reason = `could not start the exit pusher: ${run.error.message}`;
    return results.map(() => reason);
  }
  for (const line of (run.stdout?.toString('utf8') ?? '').split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const i = Number(line.slice(0, space));
    const what = line.slice(space + 1);
    if (Number.isInteger(i) && i >= 0 && i < results.length) results[i] = what === 'ok' ? null : what;
  }
  return results;
}
