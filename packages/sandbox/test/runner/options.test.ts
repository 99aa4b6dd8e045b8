import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/index.js';
import { normalizeRunOptions, normalizeRunnerOptions } from '../../src/runner/options.js';

const base = { sandboxesDir: 'sandboxes' };
const runner = (extra: Record<string, unknown>) => () => normalizeRunnerOptions({ ...base, ...extra } as never);
const defaults = normalizeRunnerOptions(base);
const run = (extra: Record<string, unknown>) => () =>
  normalizeRunOptions({ serviceId: 'svc', content: '# x', port: 8000, ...extra } as never, defaults);

/** The coded TypeError naming the option, with the exact text every option check gives. */
const invalid = (option: string, want: string, got: string) =>
  expect.objectContaining({
    name: 'TypeError',
    code: CODES.INVALID_OPTION,
    message: `[@pactown/sandbox] option '${option}' must be ${want}, got ${got}`,
  });

describe('ServiceRunner options', () => {
  it('fills the documented defaults', () => {
    expect(defaults).toMatchObject({
      cache: true,
      cacheMaxEntries: 20,
      cacheMaxAgeMs: 86_400_000,
      python: 'python3',
      pipArgs: [],
      npm: 'npm',
      npmArgs: [],
      envAllowList: undefined,
      timeoutMs: 10_000,
      healthPath: '/health',
      logsMaxLines: 1000,
      logsMaxBytes: 1_048_576,
      stderrOutputMaxLines: 500,
      stderrOutputMaxBytes: 65_536,
      killGraceMs: 5000,
      tailBytes: 65_536,
      removeSandboxOnStop: true,
      isolation: {},
    });
    expect(defaults.cacheDir).toBe(`${defaults.sandboxesDir}/.cache`);
    expect(typeof defaults.installerEnv.PATH).toBe(typeof process.env.PATH);
    expect(Object.isFrozen(defaults.pipArgs)).toBe(true);
  });

  it.each([
    ['sandboxesDir', '', 'a folder path', '""'],
    ['sandboxesDir', 7, 'a folder path', '7'],
    ['logger', { info() {} }, 'a pino-compatible logger (debug, info, warn, error, child)', 'an object'],
    ['fastStartLogger', 'log', 'a pino-compatible logger', '"log"'],
    ['cache', 'yes', 'a boolean', '"yes"'],
    ['cacheDir', '', 'a non-empty string', '""'],
    ['cacheMaxEntries', 0, 'an integer >= 1', '0'],
    ['cacheMaxAgeMs', -1, 'an integer >= 0', '-1'],
    ['cacheMaxAgeMs', 1.5, 'an integer >= 0', '1.5'],
    ['python', '', 'a non-empty string', '""'],
    ['pipArgs', ['--x', 1], 'an array of strings', 'an array'],
    ['npm', 3, 'a non-empty string', '3'],
    ['npmArgs', '--x', 'an array of strings', '"--x"'],
    ['installerEnv', null, 'an object', 'null'],
    ['installerEnv', ['PATH=/bin'], 'an object', 'an array'],
    ['envAllowList', 'PATH', 'an array of strings', '"PATH"'],
    ['timeoutMs', 0, 'an integer >= 1', '0'],
    ['healthPath', 'health', "a path starting with '/'", '"health"'],
    ['healthPath', '', 'a non-empty string', '""'],
    ['logsLevel', 'LOUD', "'DEBUG', 'INFO', 'WARNING', 'ERROR' or a level number", '"LOUD"'],
    ['logsLevel', Number.NaN, "'DEBUG', 'INFO', 'WARNING', 'ERROR' or a level number", 'NaN'],
    ['logsMaxLines', 1, 'an integer >= 2', '1'],
    ['logsMaxBytes', 1023, 'an integer >= 1024', '1023'],
    ['stderrOutputMaxLines', 0, 'an integer >= 1', '0'],
    ['stderrOutputMaxBytes', 100, 'an integer >= 1024', '100'],
    ['killGraceMs', -5, 'an integer >= 0', '-5'],
    ['tailBytes', 1000, 'an integer >= 1024', '1000'],
    ['removeSandboxOnStop', 1, 'a boolean', '1'],
    ['isolation', 'chroot', "'namespaces' or 'none'", '"chroot"'],
    ['network', 'bridge', "'host' or 'none'", '"bridge"'],
    ['readOnlyPaths', [1], 'an array of strings', 'an array'],
  ])('%s = %j is refused, naming the option', (option, value, want, got) => {
    expect(runner({ [option]: value })).toThrow(invalid(option, want, got));
  });

  it('takes level names in any case, level numbers, and $PACTOWN_UI_LOG_LEVEL when none is given', () => {
    expect(normalizeRunnerOptions({ ...base, logsLevel: 'warning' as never }).logsLevel).toBe(40);
    expect(normalizeRunnerOptions({ ...base, logsLevel: 25 }).logsLevel).toBe(25);
    const saved = process.env.PACTOWN_UI_LOG_LEVEL;
    try {
      process.env.PACTOWN_UI_LOG_LEVEL = 'debug';
      expect(normalizeRunnerOptions(base).logsLevel).toBe(20);
      process.env.PACTOWN_UI_LOG_LEVEL = 'chatty';
      expect(() => normalizeRunnerOptions(base)).toThrow(
        invalid('logsLevel', "'DEBUG', 'INFO', 'WARNING', 'ERROR' or a level number", '"chatty"'),
      );
    } finally {
      if (saved === undefined) delete process.env.PACTOWN_UI_LOG_LEVEL;
      else process.env.PACTOWN_UI_LOG_LEVEL = saved;
    }
  });

  it('refuses a non-object, an unknown key, and ignores inherited keys', () => {
    expect(() => normalizeRunnerOptions(null as never)).toThrow(
      invalid('options', 'an object with sandboxesDir', 'null'),
    );
    expect(runner({ tailByte: 2048 })).toThrow(
      expect.objectContaining({
        code: CODES.UNKNOWN_OPTION,
        message: "[@pactown/sandbox] unknown option 'tailByte' in ServiceRunner options (did you mean 'tailBytes'?)",
      }),
    );
    expect(runner({ tailBytes: undefined })).not.toThrow();
    const inherited = Object.create({ tailBytes: -1, bogus: 1 });
    inherited.sandboxesDir = 'x';
    expect(normalizeRunnerOptions(inherited).tailBytes).toBe(65_536);
  });

  it('keeps copies of the lists it was given', () => {
    const pipArgs = ['--no-index'];
    const o = normalizeRunnerOptions({ ...base, pipArgs, readOnlyPaths: ['/opt'], isolation: 'none' });
    pipArgs.push('--later');
    expect(o.pipArgs).toEqual(['--no-index']);
    expect(o.isolation).toEqual({ isolation: 'none', readOnlyPaths: ['/opt'] });
  });
});

describe('runFromContent options', () => {
  it('takes healthPath and timeoutMs from the runner unless given', () => {
    expect(run({})()).toMatchObject({ healthPath: '/health', timeoutMs: 10_000, port: 8000 });
    expect(run({ healthPath: '/ready', timeoutMs: 5 })()).toMatchObject({ healthPath: '/ready', timeoutMs: 5 });
  });

  it.each([
    ['port', undefined, 'a port number (1-65535)', 'undefined'],
    ['port', 0, 'a port number (1-65535)', '0'],
    ['port', 65_536, 'a port number (1-65535)', '65536'],
    ['port', '8000', 'a port number (1-65535)', '"8000"'],
    ['onLog', 'print', 'a function', '"print"'],
    ['env', { A: 1 }, 'an object of strings', 'an object'],
    ['env', null, 'an object of strings', 'null'],
    ['env', ['A=1'], 'an object of strings', 'an array'],
    ['content', 5, 'Markdown text or {files, deps, run}', '5'],
    ['content', null, 'Markdown text or {files, deps, run}', 'null'],
    ['content', undefined, 'Markdown text or {files, deps, run}', 'undefined'],
    ['healthPath', 'x', "a path starting with '/'", '"x"'],
    ['timeoutMs', 0, 'an integer >= 1', '0'],
  ])('%s = %j is refused, naming the option', (option, value, want, got) => {
    expect(run({ [option]: value })).toThrow(invalid(option, want, got));
  });

  it('refuses a non-object and an unknown key', () => {
    expect(() => normalizeRunOptions(7 as never, defaults)).toThrow(
      invalid('runFromContent options', 'an object', '7'),
    );
    expect(run({ prot: 8000 })).toThrow(
      expect.objectContaining({
        code: CODES.UNKNOWN_OPTION,
        message: "[@pactown/sandbox] unknown option 'prot' in runFromContent options (did you mean 'port'?)",
      }),
    );
  });
});
