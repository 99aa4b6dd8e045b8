import { describe, expect, it } from 'vitest';
import {
  callbackHandler,
  configure,
  consoleHandler,
  createHandler,
  createRedactor,
  fileHandler,
  handleExit,
  jsonFormatter,
  patternFormatter,
  prettyFormatter,
  rotatingFileHandler,
} from '../src/index.js';

function thrown(fn: () => unknown): TypeError & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as TypeError & { code?: string };
  }
  throw new Error('did not throw');
}

describe('unknown options are a TypeError naming the key and the nearest valid one', () => {
  it.each([
    ['handler', 'handlers'],
    ['rooot', 'root'],
    ['levle', 'level'],
  ])('configure({ %s }) (was: ignored silently)', (key, near) => {
    const error = thrown(() => configure({ env: false, [key]: {} } as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('PACTOWN_CORE_UNKNOWN_OPTION');
    expect(error.message).toContain(`unknown option '${key}'`);
    expect(error.message).toContain(`did you mean '${near}'?`);
  });

  it('inside configure: loggers, handlers and formatters', () => {
    expect(thrown(() => configure({ env: false, loggers: { a: { levle: 'INFO' } as never } })).message).toMatch(
      /'levle' in loggers\.a \(did you mean 'level'\?\)/,
    );
    expect(
      thrown(() => configure({ env: false, handlers: { f: { type: 'file', filname: 'x.log' } as never } })).message,
    ).toMatch(/'filname' in handlers\.f \(did you mean 'filename'\?\)/);
    expect(
      thrown(() => configure({ env: false, formatters: { j: { type: 'json', timestamps: 'iso' } as never } })).message,
    ).toMatch(/did you mean 'timestamp'/);
    expect(thrown(() => configure({ env: false, redact: { censr: 'x' } as never })).message).toMatch(
      /did you mean 'censor'/,
    );
  });

  it.each([
    ['fileHandler', () => fileHandler({ filename: 'x.log', levl: 'INFO' } as never), 'level'],
    [
      'rotatingFileHandler',
      () => rotatingFileHandler({ filename: 'x.log', maxBytes: 1, backupCount: 1, backupcount: 2 } as never),
      'backupCount',
    ],
    ['consoleHandler', () => consoleHandler({ steam: 'stdout' } as never), 'stream'],
    ['callbackHandler', () => callbackHandler(() => {}, { formater: undefined, levle: 1 } as never), 'level'],
    ['createHandler', () => createHandler({ name: 'x', emit() {}, flsh() {} } as never), 'flush'],
    ['patternFormatter', () => patternFormatter(undefined, { datefm: '%H' } as never), 'datefmt'],
    ['jsonFormatter', () => jsonFormatter({ timestmp: 'iso' } as never), 'timestamp'],
    ['prettyFormatter', () => prettyFormatter({ colorise: false } as never), 'colorize'],
    ['handleExit', () => handleExit({ timeout: 1 } as never), 'timeoutMs'],
    ['createRedactor', () => createRedactor({ key: ['x'] } as never), 'keys'],
  ])('%s', (_name, fn, near) => {
    const error = thrown(fn);
    expect(error.code).toBe('PACTOWN_CORE_UNKNOWN_OPTION');
    expect(error.message).toContain(`did you mean '${near}'?`);
  });
});
