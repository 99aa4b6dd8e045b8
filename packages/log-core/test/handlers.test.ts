import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createHandler,
  fileHandler,
  flush,
  getLogger,
  jsonFormatter,
  type LogRecord,
  patternFormatter,
  rotatingFileHandler,
  streamHandler,
} from '../src/index.js';
import { tempDir } from '@pactown/test-helpers';
import { collector, uniqueName } from './helpers.js';

const run = promisify(execFile);
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => {
  await tmp.remove();
});

describe('handlers', () => {
  it('file handler appends and creates its folder', async () => {
    const filename = path.join(tmp.path, 'deep', 'er', 'app.log');
    await fs.mkdir(path.dirname(filename), { recursive: true });
    await fs.writeFile(filename, 'existing\n');
    await fs.rm(path.dirname(filename), { recursive: true });
    const log = getLogger(uniqueName());
    log.setLevel('DEBUG');
    const h = fileHandler({ filename, formatter: patternFormatter('%(levelname)s %(message)s') });
    log.addHandler(h);
    log.debug('one');
    log.info({ port: 8001 }, 'Port: %d', 8001);
    await h.flush();
    expect(await fs.readFile(filename, 'utf8')).toBe('DEBUG one\nINFO Port: 8001\n');
    await h.close();
    const again = fileHandler({ filename, formatter: jsonFormatter() });
    log.addHandler(again);
    log.warning('three');
    await again.close();
    const lines = (await fs.readFile(filename, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2]!)).toMatchObject({ level: 'WARNING', message: 'three' });
  });

  it('stream handler writes one line per record and flushes', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c) => chunks.push(String(c)));
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    const h = streamHandler({ stream, formatter: (r) => `${r.levelName}:${r.message}` });
    log.addHandler(h);
    log.info('a');
    log.error('b');
    await h.flush();
    expect(chunks.join('')).toBe('INFO:a\nERROR:b\n');
  });

  it('handler levels filter, and records carry bound fields, printf and errors', () => {
    const { handler, records } = collector({ level: 'WARNING' });
    const log = getLogger(uniqueName());
    log.setLevel('DEBUG');
    log.addHandler(handler);
    const child = log.child({ service: 'svc' }).child({ attempt: 2 });
    child.info('dropped by handler level');
    child.warn({ port: 80 }, 'Port: %d of %s %j', 80, 'x', { a: 1 });
    child.error(new Error('boom'));
    child.critical({ err: new RangeError('deep') }, 'with err');
    expect(records.map((r: LogRecord) => [r.levelName, r.message])).toEqual([
      ['WARNING', 'Port: 80 of x {"a":1}'],
      ['ERROR', 'boom'],
      ['CRITICAL', 'with err'],
    ]);
    expect(records[0]!.fields).toEqual({ service: 'svc', attempt: 2, port: 80 });
    expect(records[1]!.err).toMatchObject({ type: 'Error', message: 'boom' });
    expect(records[2]!.err).toMatchObject({ type: 'RangeError', message: 'deep' });
    expect(records[2]!.fields).not.toHaveProperty('err');
    expect(records[0]!.name).toBe(log.loggerName);
  });

  it('createHandler isolates and counts failures, setLevel changes its level', async () => {
    let calls = 0;
    const h = createHandler({
      name: 'flaky',
      emit() {
        calls++;
        if (calls % 2) throw new Error('odd');
      },
    });
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(h);
    for (let i = 0; i < 4; i++) log.info('x');
    expect(h.errors).toBe(2);
    h.setLevel('ERROR');
    log.info('filtered');
    expect(calls).toBe(4);
    await h.close();
    log.error('after close');
    expect(h.errors).toBe(3);
    await flush();
  });

  it.each(['file', 'rotating-file'] as const)(
    'a %s handler whose file cannot be opened tries again on the next record',
    async (kind) => {
      const blocker = path.join(tmp.path, 'blocked');
      await fs.writeFile(blocker, '');
      const filename = path.join(blocker, 'sub', 'app.log');
      const h =
        kind === 'file'
          ? fileHandler({ filename, formatter: (r) => r.message })
          : rotatingFileHandler({ filename, maxBytes: 1000, backupCount: 1, formatter: (r) => r.message });
      const log = getLogger(uniqueName());
      log.setLevel('INFO');
      log.addHandler(h);
      const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        log.info('lost while the path is a file');
        await flush();
        expect(h.errors).toBe(1);
        // The path becomes valid (a fixed permission, a remounted disk): the next record is written.
        await fs.rm(blocker);
        log.info('written once the path is valid');
        log.info('and the next one');
        await h.flush();
      } finally {
        spy.mockRestore();
      }
      expect(await fs.readFile(filename, 'utf8')).toBe('written once the path is valid\nand the next one\n');
      expect(h.errors).toBe(1);
      await h.close();
    },
  );

  it('failing handlers are reported once on stderr, counted, and never stop the others', async () => {
    const blocker = path.join(tmp.path, 'a-file');
    await fs.writeFile(blocker, '');
    const fixture = path.join(import.meta.dirname, 'fixtures/failing-handlers.mjs');
    const { stdout, stderr } = await run(process.execPath, [fixture, path.join(blocker, 'sub', 'app.log')]);
    const result = JSON.parse(stdout);
    expect(result.threw).toBe(false);
    expect(result.good).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i}`));
    expect(result.errors.throwing).toBe(10);
    expect(result.errors.stream).toBe(10);
    expect(result.errors.file).toBeGreaterThanOrEqual(5);
    const reports = stderr.split('\n').filter((l) => l.includes('[@pactown/log-core] handler'));
    expect(reports).toHaveLength(3);
    expect(reports.join('\n')).toMatch(/ENOTDIR|EEXIST/);
    expect(reports.join('\n')).toContain('callback exploded');
  });
});

describe('pino options on calls and children', () => {
  it('applies pino serializers (standard req/res, and child serializers) before handlers', async () => {
    const http = await import('node:http');
    const { handler, records } = collector();
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    const server = http.createServer((req, res) => {
      log
        .child({ reqId: 1 }, { serializers: { user: (u: unknown) => ({ id: (u as { id: number }).id }) } })
        .info({ req, user: { id: 7, password: 'x', name: 'n' } }, 'incoming request');
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await fetch(`http://127.0.0.1:${port}/path?q=1`, { headers: { authorization: 'Bearer abcdefghijkl' } });
    await new Promise<void>((r) => server.close(() => r()));
    const fields = records[0]!.fields as {
      req: { method: string; url: string; headers: Record<string, string> };
      user: unknown;
      reqId: number;
    };
    expect(fields.reqId).toBe(1);
    expect(fields.req.method).toBe('GET');
    expect(fields.req.url).toBe('/path?q=1');
    expect(fields.req.headers.authorization).toBe('[REDACTED]');
    expect(fields.user).toEqual({ id: 7 });
  });
});

describe('a full disk', () => {
  it('ENOSPC is counted and never thrown; other handlers keep receiving', async (ctx) => {
    const fsSync = await import('node:fs');
    if (!fsSync.existsSync('/dev/full')) ctx.skip();
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    const full = fileHandler({ filename: '/dev/full' });
    const { handler, messages } = collector();
    log.addHandler(full);
    log.addHandler(handler);
    log.info('first');
    await full.flush();
    for (let i = 0; i < 10; i++) expect(() => log.info(`line ${i}`)).not.toThrow();
    await full.flush();
    await full.close();
    expect(full.errors).toBeGreaterThanOrEqual(10);
    expect(messages).toHaveLength(11);
  });
});

describe('hostile call arguments', () => {
  it('a throwing getter or serializer never reaches the caller', () => {
    const { handler, records } = collector();
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    const hostile = {
      get port() {
        throw new Error('getter exploded');
      },
    };
    expect(() => log.info(hostile, 'still logged')).not.toThrow();
    const child = log.child(
      {},
      {
        serializers: {
          user: () => {
            throw new Error('serializer exploded');
          },
        },
      },
    );
    expect(() => child.warn({ user: 1 }, 'also logged')).not.toThrow();
    expect(records.map((r) => r.message)).toEqual(['still logged', 'also logged']);
    expect(records[0]!.fields).toEqual({ logError: 'getter exploded' });
  });

  it('the last resort (no handler at all) never throws either, and still writes the message', () => {
    const log = getLogger(uniqueName());
    log.propagate = false;
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const hostile = {
        get x() {
          throw new Error('boom');
        },
      };
      expect(() => log.warn(hostile)).not.toThrow();
      expect(() => log.warn(hostile, 'warned anyway')).not.toThrow();
      expect(() =>
        log.error(
          {
            user: {
              toJSON: () => {
                throw new Error('no json');
              },
            },
          },
          'error anyway',
        ),
      ).not.toThrow();
    } finally {
      spy.mockRestore();
    }
    expect(written).toContain('warned anyway\n');
    expect(written).toContain('error anyway\n');
  });

  it('no handler configured: library loggers (pactown.*) print nothing, so output is not doubled; an application logger still gets the last resort', () => {
    const lib = getLogger(`pactown.${uniqueName()}`);
    const app = getLogger(uniqueName('app'));
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      lib.warn('library warning');
      lib.error('library error');
      app.warn('application warning');
    } finally {
      spy.mockRestore();
    }
    expect(written).toEqual(['application warning\n']);
  });

  it("arguments that throw inside pino's own handling never reach the caller", () => {
    const { handler, records } = collector();
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    const hostileRequest = {
      get method(): string {
        throw new Error('method getter exploded');
      },
    };
    const hostileText = {
      toString(): string {
        throw new Error('toString exploded');
      },
    };
    expect(() => log.info(hostileRequest, 'request-like')).not.toThrow();
    expect(() => log.info('value: %s', hostileText)).not.toThrow();
    expect(records.map((r) => r.message)).toEqual(['request-like', 'value: %s']);
    expect(records[1]!.fields).toEqual({ logError: 'toString exploded' });
    const silent = getLogger(uniqueName());
    silent.propagate = false;
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => silent.error('value: %s', hostileText)).not.toThrow();
    } finally {
      spy.mockRestore();
    }
  });
});
