import { Writable } from 'node:stream';
import Fastify from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { getLogger, ndjsonFormatter } from '../src/index.js';
import { collector, uniqueName } from './helpers.js';

const VOLATILE = new Set(['time', 'pid', 'hostname', 'responseTime', 'level', 'name']);

function comparable(line: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(line)) if (!VOLATILE.has(k)) out[k] = v;
  return out;
}

async function run(loggerInstance: object) {
  const app = Fastify({ loggerInstance: loggerInstance as never });
  app.get('/hello', async () => ({ ok: true }));
  await app.inject({
    method: 'GET',
    url: '/hello',
    headers: { authorization: 'Bearer abcdef123456', cookie: 'sid=s3cret' },
    remoteAddress: '127.0.0.1',
  });
  await app.close();
}

describe('Fastify 5 loggerInstance', () => {
  it("gives Fastify's own req/res fields exactly as plain pino does (was: res.statusCode null, every header dumped)", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n')) if (l !== '') lines.push(JSON.parse(l));
        cb();
      },
    });
    await run(pino({ level: 'info' }, sink));

    const { handler, records } = collector({ formatter: ndjsonFormatter() });
    const log = getLogger(uniqueName('fastify'));
    log.setLevel('INFO');
    log.addHandler(handler);
    await run(log);
    const ours = records.map((r) => JSON.parse(ndjsonFormatter()(r)) as Record<string, unknown>);

    expect(ours.map((l) => l.msg)).toEqual(lines.map((l) => l.msg));
    expect(ours.map(comparable)).toEqual(lines.map(comparable));
    const completed = ours.find((l) => l.msg === 'request completed')!;
    expect((completed.res as { statusCode: number }).statusCode).toBe(200);
    const text = JSON.stringify(ours);
    expect(text).not.toContain('abcdef123456');
    expect(text).not.toContain('s3cret');
  });

  it('authorization and cookie stay redacted when a user serializer adds headers', async () => {
    const { handler, records } = collector({ formatter: ndjsonFormatter() });
    const log = getLogger(uniqueName('fastify')).child(
      {},
      {
        serializers: {
          req: (req: { headers: unknown; method: string }) => ({ method: req.method, headers: req.headers }),
        },
      },
    );
    getLogger(log.loggerName).setLevel('INFO');
    getLogger(log.loggerName).addHandler(handler);
    await run(log);
    const incoming = records.find((r) => r.message === 'incoming request')!;
    const headers = (incoming.fields.req as { headers: Record<string, string> }).headers;
    expect(headers.authorization).toBe('[REDACTED]');
    expect(headers.cookie).toBe('[REDACTED]');
  });
});
