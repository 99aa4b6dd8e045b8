import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configure, configureFromEnv, getLogger, LEVELS, readEnvLevels } from '../src/index.js';
import { collector, tempDir } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir('log-core-config-');
});
afterEach(async () => {
  await tmp.cleanup();
});

describe('configure()', () => {
  it('builds formatters, handlers and loggers from a plain object (dictConfig)', async () => {
    const filename = path.join(tmp.dir, 'logs', 'app.log');
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
    expect(readEnvLevels({ PACTOWN_LOG_LEVEL: 'loud', PACTOWN_LOG_LEVELS: 'a=INFO,b,c=nope,d=warn' })).toEqual({ loggers: [['a', 30], ['d', 40]] });
  });

  it('validates everything before changing anything', () => {
    const log = getLogger('validate');
    log.setLevel('INFO');
    expect(() => configure({ env: false, loggers: { validate: { level: 'DEBUG', handlers: ['nope'] } } })).toThrow(/loggers\.validate\.handlers.*"nope"/);
    expect(() => configure({ env: false, loggers: { validate: { level: 'LOUD' } } })).toThrow(TypeError);
    expect(() => configure({ env: false, handlers: { x: { type: 'carrier-pigeon' } as never } })).toThrow(/handlers\.x\.type/);
    expect(() => configure({ env: false, handlers: { x: { type: 'file', filename: path.join(tmp.dir, 'x.log'), formatter: 'missing' } } })).toThrow(/handlers\.x\.formatter/);
    expect(() => configure({ env: false, handlers: { r: { type: 'rotating-file', filename: 'x', maxBytes: -1, backupCount: 1 } } })).toThrow(/maxBytes/);
    expect(log.getEffectiveLevel()).toBe(LEVELS.INFO);
  });
});
