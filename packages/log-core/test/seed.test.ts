// Every sample of the seed document's Configuration and Best Practices sections, as
// written in the README, run with its output checked.
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  callbackHandler,
  fileHandler,
  getLogger,
  jsonFormatter,
  patternFormatter,
  rotatingFileHandler,
  streamHandler,
} from '../src/index.js';
import { tempDir } from '@pactown/test-helpers';
import { collector } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let cleanup: Array<() => void> = [];
beforeEach(async () => {
  tmp = await tempDir('log-core-seed-');
  cleanup = [];
});
afterEach(async () => {
  for (const undo of cleanup) undo();
  getLogger('pactown').setLevel('NOTSET');
  getLogger('pactown.sandbox').setLevel('NOTSET');
  await tmp.remove();
});

function attach(handler: Parameters<ReturnType<typeof getLogger>['addHandler']>[0]) {
  getLogger('pactown').addHandler(handler);
  cleanup.push(() => getLogger('pactown').removeHandler(handler));
}

describe('seed: Configuration', () => {
  it('Basic Setup: pactown at INFO, pactown.sandbox at DEBUG', () => {
    const seen = collector({ formatter: (r) => `[${r.levelName}] ${r.message}` });
    attach(seen.handler);

    // README: Basic setup
    getLogger('pactown').setLevel('INFO');
    getLogger('pactown.sandbox').setLevel('DEBUG');

    getLogger('pactown.sandbox').debug('Port: %d, README: %s', 8001, '/tmp/service_123_README.md');
    getLogger('pactown.security').debug('Rate limit check: 5/60 requests used');
    getLogger('pactown.security').info('Security check passed');
    getLogger('pactown.fast_start').debug('Cache hit: venv_a1b2c3d4');
    expect(seen.messages).toEqual([
      '[DEBUG] Port: 8001, README: /tmp/service_123_README.md',
      '[INFO] Security check passed',
    ]);
  });

  it('File Handler: pattern lines appended to sandbox.log', async () => {
    const logDir = tmp.path;
    getLogger('pactown').setLevel('INFO');

    // README: File handler
    const handler = fileHandler({
      filename: path.join(logDir, 'pactown', 'sandbox.log'),
      formatter: patternFormatter('%(asctime)s [%(levelname)s] %(name)s: %(message)s'),
    });
    getLogger('pactown').addHandler(handler);
    cleanup.push(() => getLogger('pactown').removeHandler(handler));

    getLogger('pactown.sandbox').info('Creating sandbox for service_123');
    getLogger('pactown.sandbox').info('Process started with PID: %d', 12345);
    await handler.close();
    const lines = (await fs.readFile(path.join(logDir, 'pactown', 'sandbox.log'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[INFO\] pactown\.sandbox: Creating sandbox for service_123$/,
    );
    expect(lines[1]).toMatch(/\[INFO\] pactown\.sandbox: Process started with PID: 12345$/);
  });
});

describe('seed: Best Practices', () => {
  it('1. Structured logging in production: JSON lines on a stream', () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (c) => {
      out += c;
    });
    getLogger('pactown').setLevel('INFO');

    // README: Structured logging
    const handler = streamHandler({ stream, formatter: jsonFormatter({ timestamp: 'asctime' }) });
    getLogger('pactown').addHandler(handler);
    cleanup.push(() => getLogger('pactown').removeHandler(handler));

    getLogger('pactown.sandbox').child({ service: 'service_123' }).info('Process started with PID: %d', 12345);
    const record = JSON.parse(out.trimEnd());
    expect(Object.keys(record)).toEqual(['timestamp', 'level', 'logger', 'message', 'service']);
    expect(record).toMatchObject({
      level: 'INFO',
      logger: 'pactown.sandbox',
      message: 'Process started with PID: 12345',
      service: 'service_123',
    });
    expect(record.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}$/);
  });

  it('2. Log rotation: 10 MB x 5, active file keeps its name', async () => {
    getLogger('pactown').setLevel('INFO');
    const file = path.join(tmp.path, 'pactown', 'sandbox.log');

    // README: Log rotation
    const handler = rotatingFileHandler({
      filename: file,
      maxBytes: 10 * 1024 * 1024, // 10 MB
      backupCount: 5,
    });
    getLogger('pactown').addHandler(handler);
    cleanup.push(() => getLogger('pactown').removeHandler(handler));

    const line = 'x'.repeat(200);
    const perLine = Buffer.byteLength(`2026-11-26 23:59:59,123 [INFO] pactown.sandbox: ${line}\n`);
    const count = Math.ceil((10 * 1024 * 1024) / perLine) + 100;
    const log = getLogger('pactown.sandbox');
    for (let i = 0; i < count; i++) log.info(line);
    await handler.close();
    const active = await fs.stat(file);
    const first = await fs.stat(`${file}.1`);
    expect(first.size).toBeLessThan(10 * 1024 * 1024);
    expect(first.size).toBeGreaterThan(10 * 1024 * 1024 - perLine * 2);
    expect(active.size).toBe(count * perLine - first.size);
    await expect(fs.stat(`${file}.2`)).rejects.toThrow();
  });

  it('3. Alert on errors: by level, not by emoji', () => {
    const alerts: string[] = [];
    const sendAlert = (message: string) => alerts.push(message);
    getLogger('pactown').setLevel('INFO');

    // README: Alert on errors
    const alerting = callbackHandler(
      (message, record) => sendAlert(`[${record.levelName}] ${record.name}: ${message}`),
      { level: 'ERROR' },
    );
    getLogger('pactown').addHandler(alerting);
    cleanup.push(() => getLogger('pactown').removeHandler(alerting));

    const log = getLogger('pactown.sandbox');
    log.info('❌ looks alarming but is informational');
    log.warning('Rate limited: user123');
    log.error('Process killed by SIGTERM (exit code: -15)');
    log.critical({ service: 'service_123' }, 'No space left on device');
    expect(alerts).toEqual([
      '[ERROR] pactown.sandbox: Process killed by SIGTERM (exit code: -15)',
      '[CRITICAL] pactown.sandbox: No space left on device',
    ]);
  });
});
