// One contract, every handler kind (unstorage's driver suite, applied to handlers).
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callbackHandler,
  fileHandler,
  getLogger,
  type Handler,
  rotatingFileHandler,
  streamHandler,
  transportHandler,
} from '../src/index.js';
import { tempDir } from '@pactown/test-helpers';
import { uniqueName } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('log-core-conf-');
});
afterAll(async () => {
  await tmp.remove();
});

interface Kind {
  make(level: string): { handler: Handler; read(): Promise<string[]> };
}

const kinds: Record<string, Kind> = {
  stream: {
    make(level) {
      const stream = new PassThrough();
      let text = '';
      stream.on('data', (c) => {
        text += c;
      });
      return { handler: streamHandler({ stream, level, formatter: (r) => r.message }), read: async () => lines(text) };
    },
  },
  callback: {
    make(level) {
      const got: string[] = [];
      return { handler: callbackHandler((m) => got.push(m), { level }), read: async () => got };
    },
  },
  file: {
    make(level) {
      const filename = path.join(tmp.path, `${uniqueName('f')}.log`);
      return {
        handler: fileHandler({ filename, level, formatter: (r) => r.message }),
        read: async () => lines(await fs.readFile(filename, 'utf8')),
      };
    },
  },
  'rotating-file': {
    make(level) {
      const filename = path.join(tmp.path, `${uniqueName('r')}.log`);
      return {
        handler: rotatingFileHandler({
          filename,
          level,
          maxBytes: 1 << 20,
          backupCount: 2,
          formatter: (r) => r.message,
        }),
        read: async () => lines(await fs.readFile(filename, 'utf8')),
      };
    },
  },
  transport: {
    make(level) {
      const destination = path.join(tmp.path, `${uniqueName('t')}.log`);
      return {
        handler: transportHandler({ target: 'pino/file', options: { destination }, level }),
        read: async () => lines(await fs.readFile(destination, 'utf8')).map((l) => JSON.parse(l).msg),
      };
    },
  },
};

function lines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

describe.each(Object.entries(kinds))('%s handler contract', (_name, kind) => {
  it('filters by its level, writes everything by flush(), counts nothing when healthy', async () => {
    const { handler, read } = kind.make('INFO');
    const log = getLogger(uniqueName());
    log.setLevel('DEBUG');
    log.addHandler(handler);
    log.debug('skip');
    for (let i = 0; i < 500; i++) log.info(`m${i}`);
    log.error('last');
    await handler.flush();
    const got = await read();
    expect(got).toHaveLength(501);
    expect(got[0]).toBe('m0');
    expect(got.at(-1)).toBe('last');
    expect(handler.errors).toBe(0);
    expect(handler.level).toBe(30);
    await handler.close();
  });

  it('close() is idempotent and later records are counted, not thrown', async () => {
    const { handler } = kind.make('DEBUG');
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    log.info('before');
    await Promise.all([handler.close(), handler.close()]);
    expect(() => log.info('after')).not.toThrow();
    expect(handler.errors).toBe(1);
  });
});
