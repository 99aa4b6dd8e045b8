import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { tempDir } from '@pactown/test-helpers';
import { startLokiReceiver } from '@pactown/loki-receiver';
import { describe, expect, it } from 'vitest';
import { createRunnerApp } from '../src/app/app.js';
import { loadConfig } from '../src/config/config.js';
import { displayUrl, redactUrls, splitCredentials } from '../src/logging/urls.js';
import { createMetrics } from '../src/metrics/runner-metrics.js';

const PASSWORD = 'tok3n-secret-91';
const QUERY = 'q-secret-27';

describe('URL helpers', () => {
  it('show a URL without user info, query string or fragment', () => {
    expect(displayUrl(`https://user:${PASSWORD}@loki.example:3100/base?api_key=${QUERY}#x`)).toBe(
      'https://loki.example:3100/base',
    );
    expect(displayUrl(`http://a@b:${PASSWORD}@host`)).toBe('http://host');
    expect(displayUrl('http://loki:3100')).toBe('http://loki:3100');
    expect(redactUrls(`loki:https://user:${PASSWORD}@h/p?k=${QUERY} and ftp://x:y@z/`)).toBe(
      'loki:https://h/p and ftp://z/',
    );
  });

  it('move credentials out of a URL and leave others untouched', () => {
    expect(splitCredentials(`https://us%40er:${PASSWORD}@h:1/p?k=v`)).toEqual({
      url: 'https://h:1/p?k=v',
      username: 'us@er',
      password: PASSWORD,
    });
    expect(splitCredentials('http://loki:3100')).toEqual({ url: 'http://loki:3100', username: null, password: null });
    expect(() => splitCredentials(`http://user:${PASSWORD}@[bad`)).toThrow(TypeError);
    try {
      splitCredentials(`http://user:${PASSWORD}@[bad`);
    } catch (error) {
      expect(String(error)).not.toContain(PASSWORD);
    }
  });
});

describe('LOKI_URL with credentials', () => {
  it('keeps them out of the config, and of errors about a bad value', () => {
    const config = loadConfig({ LOKI_URL: `https://user:${PASSWORD}@loki.example/?api_key=${QUERY}` }, {}, os.tmpdir());
    expect(config.lokiUrl).toBe(`https://loki.example/?api_key=${QUERY}`);
    expect(config).toMatchObject({ lokiUsername: 'user', lokiPassword: PASSWORD });
    // Set on their own, LOKI_USERNAME / LOKI_PASSWORD win.
    const explicit = loadConfig(
      { LOKI_URL: `https://user:${PASSWORD}@loki.example`, LOKI_USERNAME: 'me', LOKI_PASSWORD: 'pw' },
      {},
      os.tmpdir(),
    );
    expect(explicit).toMatchObject({ lokiUsername: 'me', lokiPassword: 'pw' });
    for (const bad of [`ftp://user:${PASSWORD}@host/?k=${QUERY}`, `http://user:${PASSWORD}@[bad?k=${QUERY}`]) {
      expect(() => loadConfig({ LOKI_URL: bad }, {}, os.tmpdir())).toThrow(/LOKI_URL/);
      try {
        loadConfig({ LOKI_URL: bad }, {}, os.tmpdir());
      } catch (error) {
        expect(String(error)).not.toContain(PASSWORD);
        expect(String(error)).not.toContain(QUERY);
      }
    }
  });

  it('never shows them on /metrics, /health, the console or sandbox.log, and still ships', async () => {
    const temp = await tempDir('pactown-runner-secrets-');
    const home = temp.path;
    const receiver = await startLokiReceiver({ host: '127.0.0.1', port: 0 });
    const target = new URL(receiver.url);
    target.username = 'user';
    target.password = PASSWORD;
    target.search = `?api_key=${QUERY}`;
    const env = {
      PACTOWN_HOME: home,
      PACTOWN_PORT: '0',
      PACTOWN_HOST: '127.0.0.1',
      LOKI_URL: target.href,
      PACTOWN_CONSOLE_LEVEL: 'DEBUG',
    };
    const consoleOut = new PassThrough();
    let printed = '';
    consoleOut.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const app = await createRunnerApp({ config: loadConfig(env, {}, home), env, console: consoleOut });
    try {
      const url = await app.listen();
      app.context.logging.root.info('hello from the secrets test | user=u1');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/pactown_runner_log_handler_errors_total\{handler="loki:http:\/\/127\.0\.0\.1:\d+\/"\}/);
      const health = await (await fetch(`${url}/health`)).text();
      expect(JSON.parse(health).loki).toBe('on');
      await app.context.logging.flush();
      expect(receiver.query('{service="api"} |= "hello from the secrets test"').result.length).toBe(1);
      const sandboxLog = await fs.readFile(path.join(app.context.config.logDir, 'sandbox.log'), 'utf8');
      for (const text of [
        metrics,
        health,
        printed,
        sandboxLog,
        app.context.logging.lokiUrl ?? '',
        ...app.context.logging.handlers.map((h) => h.name),
      ]) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(QUERY);
      }
      // Any handler's name is shown on /metrics without URL secrets, whoever named it.
      const named = await createMetrics({
        ...app.context,
        logging: {
          ...app.context.logging,
          handlers: [{ name: `custom:https://user:${PASSWORD}@h/?k=${QUERY}`, errors: 0 }] as never,
        },
      }).metrics();
      expect(named).toContain('handler="custom:https://h/"');
    } finally {
      await app.shutdown('test finished');
      await receiver.close();
      await temp.remove();
    }
  });
});
