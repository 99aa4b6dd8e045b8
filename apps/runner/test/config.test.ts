import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNNER_OPTIONS, loadConfig } from '../src/config/config.js';

const CWD = path.resolve('/nonexistent-base');

describe('loadConfig (one options table)', () => {
  it('fills the documented defaults', () => {
    const config = loadConfig({}, {}, CWD);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8800,
      home: path.join(CWD, '.pactown'),
      logDir: path.join(CWD, '.pactown', 'logs'),
      apiTokens: null,
      rateLimitPerMinute: 60,
      logFormat: 'auto',
      uiLogLevel: 'INFO',
      answerMaxLines: 400,
      sseMaxPerUser: 10,
      lokiUrl: null,
      lokiServiceLabel: 'api',
    });
  });

  it('names the variable of a bad value with a stable code', () => {
    expect(() => loadConfig({ PACTOWN_PORT: 'abc' }, {}, CWD)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'PACTOWN_RUNNER_INVALID_OPTION', option: 'PACTOWN_PORT' }),
    );
    expect(() => loadConfig({ PACTOWN_PORT: '70000' }, {}, CWD)).toThrow(
      /option 'PACTOWN_PORT' must be an integer from 0 to 65535, got "70000"/,
    );
    expect(() => loadConfig({ PACTOWN_LOG_LEVEL: 'loud' }, {}, CWD)).toThrow(/PACTOWN_LOG_LEVEL/);
    expect(() => loadConfig({ PACTOWN_LOG_FORMAT: 'xml' }, {}, CWD)).toThrow(/PACTOWN_LOG_FORMAT/);
  });

  it("a misspelt variable names the nearest one; other programs' variables are left alone", () => {
    expect(() => loadConfig({ PACTOWN_PROT: '9000' }, {}, CWD)).toThrow(
      "unknown option 'PACTOWN_PROT' in the environment (did you mean 'PACTOWN_PORT'?)",
    );
    expect(() => loadConfig({ PACTOWN_PROT: '9000' }, {}, CWD)).toThrow(
      expect.objectContaining({ code: 'PACTOWN_RUNNER_UNKNOWN_OPTION' }),
    );
    expect(() =>
      loadConfig({ PATH: '/bin', PACTOWN_SOMETHING_ELSE_ENTIRELY: '1', HOME: '/root' }, {}, CWD),
    ).not.toThrow();
    expect(() => loadConfig({}, { prot: 1 } as never, CWD)).toThrow("unknown option 'prot' (did you mean 'port'?)");
  });

  it('never shows a secret in an error', () => {
    const secret = 'hunter2-very-secret';
    for (const env of [
      { PACTOWN_API_TOKENS: `alice:${secret}:x,bad` },
      { LOKI_URL: `ftp://u:${secret}@h/?k=${secret}` },
    ]) {
      let message = '';
      try {
        loadConfig(env, {}, CWD);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(secret);
    }
  });

  it('the README table is the options table', async () => {
    const readme = await fs.readFile(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(RUNNER_OPTIONS.markdown());
  });
});
