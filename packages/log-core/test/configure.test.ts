import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configure,
  configureFromEnv,
  getLogger,
  jsonFormatter,
  LEVELS,
  prettyFormatter,
  readEnvLevels,
} from '../src/index.js';
import { tempDir } from '@pactown/test-helpers';
import { collector } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir('log-core-config-');
});
afterEach(async () => {
  await tmp.remove();
});

describe('configure()', () => {
  it('builds formatters, handlers and loggers from a plain object (dictConfig)', async () => {
    const filename = path.join(tmp.path, 'logs', 'app.log');
    const seen = collector();
    const { handlers } = configure({
      env: false,
      formatters: { plain: { format: '%(levelname)s %(name)s %(message)s' }, json: { type: 'json' } },
      handlers: {
        file: { type: 'file', filename, formatter: 'plain', level: 'INFO' },
        seen: seen.handler,
      },
      loggers: {
        cfg: { level: 'DEBUG', handlers: ['file'] },
        'cfg.quiet': { propagate: false, handlers: ['seen'] },
      },
    });
    getLogger('cfg.x').debug('below the file handler level');
    getLogger('cfg.x').info('kept');
    getLogger('cfg.quiet').warning('not propagated');
    await handlers.file!.flush();
    expect(await fs.readFile(filename, 'utf8')).toBe('INFO cfg.x kept\n');
    expect(seen.messages).toEqual(['not propagated']);

    // A second, non-incremental configure() detaches and closes what the first one installed.
    configure({ env: false, loggers: { cfg: { level: 'INFO' } } });
    expect(getLogger('cfg').handlers).toEqual([]);
    await new Promise((r) => setImmediate(r));
  });

  it('reads PACTOWN_LOG_LEVEL and PACTOWN_LOG_LEVELS after the object', () => {
    configure({
      loggers: { envtest: { level: 'ERROR' } },
      env: { PACTOWN_LOG_LEVELS: 'envtest=INFO, envtest.sandbox=DEBUG' },
    });
    expect(getLogger('envtest').getEffectiveLevel()).toBe(LEVELS.INFO);
    expect(getLogger('envtest.sandbox').getEffectiveLevel()).toBe(LEVELS.DEBUG);
    expect(getLogger('envtest.security').getEffectiveLevel()).toBe(LEVELS.INFO);
    const root = getLogger();
    const before = root.getEffectiveLevel();
    configureFromEnv({ PACTOWN_LOG_LEVEL: 'debug' });
    expect(root.getEffectiveLevel()).toBe(LEVELS.DEBUG);
    root.setLevel(before);
  });

  it('skips malformed environment entries instead of failing', () => {
    expect(readEnvLevels({ PACTOWN_LOG_LEVEL: 'loud', PACTOWN_LOG_LEVELS: 'a=INFO,b,c=nope,d=warn' })).toEqual({
      loggers: [
        ['a', 30],
        ['d', 40],
      ],
    });
  });

  it('validates everything before changing anything', () => {
    const log = getLogger('validate');
    log.setLevel('INFO');
    expect(() => configure({ env: false, loggers: { validate: { level: 'DEBUG', handlers: ['nope'] } } })).toThrow(
      /loggers\.validate\.handlers.*"nope"/,
    );
    expect(() => configure({ env: false, loggers: { validate: { level: 'LOUD' } } })).toThrow(TypeError);
    expect(() => configure({ env: false, handlers: { x: { type: 'carrier-pigeon' } as never } })).toThrow(
      /handlers\.x\.type/,
    );
    expect(() =>
      configure({
        env: false,
        handlers: { x: { type: 'file', filename: path.join(tmp.path, 'x.log'), formatter: 'missing' } },
      }),
    ).toThrow(/handlers\.x\.formatter/);
    expect(() =>
      configure({
        env: false,
        handlers: { r: { type: 'rotating-file', filename: 'x', maxBytes: -1, backupCount: 1 } },
      }),
    ).toThrow(/maxBytes/);
    expect(log.getEffectiveLevel()).toBe(LEVELS.INFO);
  });

  it('validates handleExit, env and ready-made handlers before changing anything', () => {
    const log = getLogger('validate.late');
    log.setLevel('INFO');
    const { handler, messages } = collector();
    log.addHandler(handler);
    const attempt = (extra: object) => () =>
      configure({
        env: false,
        loggers: { 'validate.late': { level: 'DEBUG', propagate: false } },
        lastResort: false,
        ...extra,
      });
    expect(attempt({ handleExit: { timeoutMs: -1 } })).toThrow(/handleExit\.timeoutMs.*-1/);
    expect(attempt({ handleExit: { signals: ['TERM'] } })).toThrow(/handleExit\.signals/);
    expect(attempt({ handleExit: 'yes' })).toThrow(/handleExit.*"yes"/);
    expect(attempt({ env: null })).toThrow(/Invalid env: null/);
    expect(attempt({ handlers: { h: { handle() {} } } })).toThrow(/handlers\.h/);
    for (const error of [attempt({ handleExit: { timeoutMs: -1 } }), attempt({ env: 3 })])
      expect(error).toThrow(TypeError);
    expect(log.getEffectiveLevel()).toBe(LEVELS.INFO);
    expect(log.propagate).toBe(true);
    log.debug('still filtered');
    log.info('still here');
    expect(messages).toEqual(['still here']);
  });

  it('a bad datefmt is a TypeError naming the option, in configure and in the formatter factories', () => {
    expect(() => jsonFormatter({ timestamp: 'asctime', datefmt: 5 as never })).toThrow(/Invalid option datefmt: 5/);
    expect(() => jsonFormatter({ datefmt: {} as never })).toThrow(TypeError);
    expect(() => prettyFormatter({ datefmt: 5 as never })).toThrow(/Invalid option datefmt: 5/);
    expect(() =>
      configure({ env: false, formatters: { j: { type: 'json', timestamp: 'asctime', datefmt: 5 as never } } }),
    ).toThrow(/datefmt/);
    expect(() => configure({ env: false, formatters: { p: { type: 'pretty', datefmt: [] } as never } })).toThrow(
      /datefmt/,
    );
    expect(() => jsonFormatter(null as never)).toThrow(/Invalid json formatter options: null/);
    expect(() => prettyFormatter(null as never)).toThrow(/Invalid pretty formatter options: null/);
  });
});
