import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@pactown/test-helpers';
import { type ServiceLogRecord, startService } from '../../src/index.js';
import { memoryLogger } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

const PEM_BODY = [
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
  'q1w2e3r4t5y6u7i8o9p0asdfghjklzxcvbnmQWERTYUIOPASDFGH',
  'ZXCVBNMqwertyuiopasdfghjklzxcvbnm1234567890abcdefABCD',
];
const RUN_SECRET = 'sk_live_runenvsecret4242424242';
const PARENT_SECRET = 'parent-known-value-8c1f9e77';

// Prints a PEM private key in pieces (so chunks cut its lines), a known value from the run's env with no
// secret syntax around it, one from the parent's environment, then dies with the key still quoted on stderr.
const program = `
const lines = ['-----BEGIN PRIVATE KEY-----', ...${JSON.stringify(PEM_BODY)}, '-----END PRIVATE KEY-----'];
const text = lines.join('\\n') + '\\n';
let i = 0;
const step = () => {
  if (i < text.length) { process.stdout.write(text.slice(i, i + 17)); i += 17; setTimeout(step, 2); return; }
  console.log('charging with ' + process.env.STRIPE_SK + ' now');
  console.log('parent value: ' + ${JSON.stringify(PARENT_SECRET)});
  console.error(text + 'Error: bad key ' + process.env.STRIPE_SK);
  process.exit(1);
};
step();
`;

describe('masking once, where a line enters', () => {
  it('masks a PEM block cut across chunks and the run and parent environment values everywhere', async () => {
    process.env.PACTOWN_TEST_API_TOKEN = PARENT_SECRET;
    try {
      const seen: ServiceLogRecord[] = [];
      const { logger, records } = memoryLogger();
      const proc = startService({
        serviceId: 'secrets',
        command: process.execPath,
        args: ['-e', program],
        cwd: dir.path,
        env: { STRIPE_SK: RUN_SECRET },
        logger,
        onLog: (r) => seen.push(r),
      });
      const report = await proc.ended;
      expect(report.exit.exitCode).toBe(1);
      const everything = JSON.stringify({ seen, records, report, tails: proc.tails() });
      for (const secret of [...PEM_BODY, RUN_SECRET, PARENT_SECRET]) expect(everything, secret).not.toContain(secret);
      // The lines around the secrets are still there.
      expect(seen.some((r) => r.message.startsWith('charging with ') && r.message.endsWith(' now'))).toBe(true);
      expect(report.stderrTail).toContain('Error: bad key');
    } finally {
      delete process.env.PACTOWN_TEST_API_TOKEN;
    }
  });

  it('masks each captured line exactly once: the died report does not mask again', async () => {
    let calls = 0;
    const proc = startService({
      serviceId: 'count',
      command: process.execPath,
      args: [
        '-e',
        'for (let i = 0; i < 50; i++) console.log("line " + i); console.error("Traceback: boom"); process.exit(2)',
      ],
      cwd: dir.path,
      redact: (text) => {
        calls++;
        return text.replaceAll('boom', '[MASKED]');
      },
    });
    const report = await proc.ended;
    // 51 output lines, the command line, and what the report holds that did not come through the
    // streams: its message and each file name.
    expect(calls).toBe(52 + 1 + report.files.length);
    expect(report.stderrTail).toContain('Traceback: [MASKED]');
    expect(report.stdoutTail.trim().split('\n')).toHaveLength(50);
  });

  it('masks the file names of the report: a service can name a file after a secret', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const own = await mkdtemp(join(dir.path, 'names-'));
    try {
      const proc = startService({
        isolation: 'none',
        serviceId: 'names',
        command: process.execPath,
        args: ['-e', "require('node:fs').writeFileSync(process.env.STRIPE_SK + '.txt', ''); process.exit(2)"],
        cwd: own,
        env: { STRIPE_SK: RUN_SECRET },
      });
      const report = await proc.ended;
      expect(report.exit.exitCode).toBe(2);
      expect(report.files).toHaveLength(1);
      expect(JSON.stringify(report)).not.toContain(RUN_SECRET);
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });
});
