import { readFile } from 'node:fs/promises';
import { configure } from '@pactown/log-core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareReport, writeErrorFile } from '../src/index.js';
import { seedReport } from './fixtures/seed-report.js';
import { tempDir } from '@pactown/test-helpers';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, remove: cleanup } = await tempDir('ef-lcr-'));
});
afterEach(() => cleanup());
afterAll(() => {
  configure({});
});

describe("log-core's configured redaction", () => {
  it('applies the patterns and keys configured in log-core to every part of the file', async () => {
    configure({ redact: { patterns: [/ACME-\d{6}/], keys: ['tenant_pin'] } });
    const report = seedReport({
      command: 'run --license ACME-123456',
      stderrTail: 'license ACME-654321 rejected\nTENANT_PIN=9911\n',
      stdoutTail: '{"tenant_pin": "4242"}\n',
    });
    const text = await readFile(await writeErrorFile(report, { logDir: dir }), 'utf8');
    for (const secret of ['ACME-123456', 'ACME-654321', '9911', '4242']) expect(text).not.toContain(secret);
    expect(text).toContain('license [REDACTED] rejected');
  });

  it('reads the configuration at write time, not at import time', () => {
    configure({});
    expect(prepareReport(seedReport({ stderrTail: 'code XYZ-1\n' })).stderrTail).toBe('code XYZ-1\n');
    configure({ redact: { patterns: [/XYZ-\d/] } });
    expect(prepareReport(seedReport({ stderrTail: 'code XYZ-1\n' })).stderrTail).toBe('code [REDACTED]\n');
  });

  it('can be turned off, or replaced by a function', () => {
    configure({ redact: { patterns: [/XYZ-\d/] } });
    expect(prepareReport(seedReport({ stderrTail: 'XYZ-1 TOKEN=abc\n' }), { redact: false }).stderrTail).toBe(
      'XYZ-1 TOKEN=abc\n',
    );
    expect(prepareReport(seedReport({ stderrTail: 'XYZ-1\n' }), { redact: (t) => t.toLowerCase() }).stderrTail).toBe(
      'xyz-1\n',
    );
  });
});
