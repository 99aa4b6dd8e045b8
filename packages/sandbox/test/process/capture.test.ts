import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { tempDir } from '@pactown/test-helpers';
import {
  type DiedReport,
  LINE_CONTINUES_MARKER,
  type ServiceLogRecord,
  type ServiceProcess,
  type StartOptions,
  startService,
} from '../../src/index.js';
import { collector, fixture, memoryLogger } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

describe('capture', () => {
  it('delivers every line live to onLog and the logger, tagged with stream and service', async () => {
    const log = collector();
    const { logger, records } = memoryLogger();
    const proc = startService({
      isolation: 'none',
      serviceId: 'edge',
      command: 'python3',
      args: [fixture('output_edge.py')],
      cwd: dir.path,
      logger,
      onLog: log.onLog,
    });
    const report = await proc.ended;
    const stdout = log.records.filter((r) => r.stream === 'stdout');
    expect(stdout[0]).toMatchObject({
      message: 'plain line',
      level: 30,
      levelName: 'INFO',
      logger: 'pactown.sandbox',
      serviceId: 'edge',
    });
    expect(stdout[1]!.message).toBe('bad \uFFFD\uFFFD bytes');
    expect(stdout[2]!.message).toBe('café');
    const pieces = stdout.filter((r) => r.split);
    expect(pieces.length).toBe(Math.ceil(50_000 / 16_384));
    expect(pieces[0]!.message.endsWith(LINE_CONTINUES_MARKER)).toBe(true);
    expect(stdout.at(-1)!.message).toBe('last line without newline');
    expect(report.stdoutTail.endsWith('last line without newline')).toBe(true);
    expect(log.messages()[0]).toBe(`Process started with PID: ${proc.pid}`);
    // Every logger record carries the service binding.
    expect(records.length).toBeGreaterThan(5);
    expect(records.every((r) => r.service === 'edge')).toBe(true);
    expect(records.find((r) => r.msg === 'plain line')).toMatchObject({ stream: 'stdout', level: 30 });
  });

  it('passes only allow-listed parent variables, logs keys (not values) at DEBUG', async () => {
    process.env.PACTOWN_TEST_SECRET = 'parent-secret-value';
    try {
      const log = collector();
      const { logger, records } = memoryLogger();
      const proc = startService({
        isolation: 'none',
        serviceId: 'env',
        command: process.execPath,
        args: ['-e', 'console.log(JSON.stringify(process.env))'],
        cwd: dir.path,
        env: { MARKPACT_PORT: 8123, SERVICE_TOKEN: 'service-secret-value' },
        logger,
        onLog: log.onLog,
      });
      await proc.ended;
      const env = JSON.parse(log.records.find((r) => r.stream === 'stdout')!.message);
      expect(env.PACTOWN_TEST_SECRET).toBeUndefined();
      expect(env.MARKPACT_PORT).toBe('8123');
      expect(env.PATH).toBe(process.env.PATH);
      const keysLine = records.find((r) => String(r.msg).startsWith('Environment keys:'))!;
      expect(keysLine.level).toBe(20);
      expect(keysLine.msg).toContain('SERVICE_TOKEN');
      // The output line (the whole environment as JSON) reaches the plain pino logger masked too.
      expect(records.some((r) => r.stream === 'stdout' && String(r.msg).includes('"SERVICE_TOKEN"'))).toBe(true);
      expect(JSON.stringify(records)).not.toContain('service-secret-value');
    } finally {
      delete process.env.PACTOWN_TEST_SECRET;
    }
  });

  it('reports files, the environment folder and times', async () => {
    const svc = join(dir.path, 'svc');
    await mkdir(join(svc, '.venv'), { recursive: true });
    await writeFile(join(svc, 'main.py'), 'raise SystemExit(2)\n');
    await writeFile(join(svc, 'requirements.txt'), '');
    const report = await startService({ isolation: 'none', serviceId: 'files', command: 'python3 main.py', cwd: svc })
      .ended;
    expect(report.files).toEqual(['.venv', 'main.py', 'requirements.txt']);
    expect(report.envDir).toBe(join(svc, '.venv'));
    expect(report.exit.code).toBe(2);
    expect(report.category).toBe('process_crash');
    expect(Date.parse(report.endedAt) - Date.parse(report.startedAt)).toBe(report.durationMs);
    expect(report.startedAt).toMatch(/\.\d{3}Z$/);
  });

  it('redacts secrets in the command of the report (log-core redactor by default)', async () => {
    const args = ['-e', '0', '--password', 'hunter2', 'API_TOKEN=abc123', 'postgres://u:pw-secret@h/db'];
    const report = await startService({
      isolation: 'none',
      serviceId: 'redact',
      command: process.execPath,
      args,
      cwd: dir.path,
    }).ended;
    expect(report.command).toContain(process.execPath);
    expect(report.command).not.toMatch(/hunter2|abc123|pw-secret/);
  });

  it('masks secrets a service prints, in onLog lines and in the report tails', async () => {
    const lines: string[] = [];
    const script =
      'console.log("DATABASE_PASSWORD=s3cr3t-value ok"); console.error("Authorization: Bearer abcdef123456"); process.exit(3)';
    const report = await startService({
      isolation: 'none',
      serviceId: 'prints-secrets',
      command: process.execPath,
      args: ['-e', script],
      cwd: dir.path,
      onLog: (record) => {
        if (record.stream !== 'system') lines.push(record.message);
      },
    }).ended;
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).toContain('DATABASE_PASSWORD=');
    expect(lines.join('\n')).not.toMatch(/s3cr3t-value|abcdef123456/);
    expect(report.stdoutTail).toContain('ok');
    expect(report.stdoutTail + report.stderrTail).not.toMatch(/s3cr3t-value|abcdef123456/);
  });

  it('masks secrets in the suggestions of the report, which quote the output', async () => {
    const script =
      'console.error("Error: cannot connect to postgres://admin:Sup3rS3cret@db password=hunter2"); process.exit(1)';
    const report = await startService({
      isolation: 'none',
      serviceId: 'secret-suggestion',
      command: process.execPath,
      args: ['-e', script],
      cwd: dir.path,
    }).ended;
    expect(report.category).toBe('process_crash');
    expect(report.suggestions[0]!.description).toContain('cannot connect to postgres://admin:');
    expect(JSON.stringify(report)).not.toMatch(/Sup3rS3cret|hunter2/);
  });

  it('masks secrets in a suggestion command taken from the output', async () => {
    const script =
      'console.error("Error: EACCES: permission denied, open \'/srv/token=abc123secret\'"); process.exit(1)';
    const report = await startService({
      isolation: 'none',
      serviceId: 'secret-command',
      command: process.execPath,
      args: ['-e', script],
      cwd: dir.path,
    }).ended;
    expect(report.category).toBe('permission');
    expect(report.suggestions[0]!.command).toMatch(/^ls -ld \/srv\/token=/);
    expect(JSON.stringify(report)).not.toContain('abc123secret');
  });

  it('masks output lines before any logger gets them (a plain pino logger, or with its own redact)', async () => {
    const script =
      'console.log("DATABASE_PASSWORD=s3cr3t-value ok"); console.error("Authorization: Bearer abcdef123456")';
    const plain = memoryLogger();
    await startService({
      isolation: 'none',
      serviceId: 'pino-secrets',
      command: process.execPath,
      args: ['-e', script],
      cwd: dir.path,
      logger: plain.logger,
    }).ended;
    const plainOutput = plain.records.filter((r) => r.stream !== undefined);
    expect(plainOutput.map((r) => r.msg)).toEqual([
      'DATABASE_PASSWORD=[REDACTED] ok',
      'Authorization: Bearer [REDACTED]',
    ]);
    expect(JSON.stringify(plain.records)).not.toMatch(/s3cr3t-value|abcdef123456/);

    const own = memoryLogger();
    await startService({
      isolation: 'none',
      serviceId: 'own-redact-logger',
      command: process.execPath,
      args: ['-e', script],
      cwd: dir.path,
      logger: own.logger,
      redact: (text) => text.replace(/s3cr3t-value|abcdef123456/g, '***'),
    }).ended;
    expect(own.records.filter((r) => r.stream !== undefined).map((r) => r.msg)).toEqual([
      'DATABASE_PASSWORD=*** ok',
      'Authorization: Bearer ***',
    ]);
  });

  it('masks a secret inside a busy stream whose other chunks skip per-line masking', async () => {
    // Thousands of clean lines in big chunks, with a secret now and then in the same writes.
    const script = `const clean = 'x'.repeat(99) + '\\n'; let out = '';
      for (let i = 0; i < 20000; i++) { out += clean; if (i % 5000 === 4999) out += 'db_password=hunter2-' + i + '\\n'; }
      process.stdout.write(out);`;
    const messages: string[] = [];
    await startService({
      isolation: 'none',
      serviceId: 'busy-secrets',
      command: process.execPath,
      args: ['-e', script],
      cwd: dir.path,
      logOutput: false,
      onLog: (record) => {
        if (record.stream === 'stdout') messages.push(record.message);
      },
    }).ended;
    expect(messages).toHaveLength(20_004);
    const secretLines = messages.filter((m) => m.startsWith('db_password='));
    expect(secretLines).toHaveLength(4);
    expect(messages.join('\n')).not.toContain('hunter2');
  });

  it('with its own redact and no redactCheck, every line goes through that redact', async () => {
    const messages: string[] = [];
    await startService({
      isolation: 'none',
      serviceId: 'own-redact',
      command: process.execPath,
      args: ['-e', 'process.stdout.write("alpha\\nbeta\\n")'],
      cwd: dir.path,
      redact: (text) => text.toUpperCase(),
      onLog: (record) => {
        if (record.stream === 'stdout') messages.push(record.message);
      },
    }).ended;
    expect(messages).toEqual(['ALPHA', 'BETA']);
  });

  it('a redactCheck that answers false lets clean chunks through unmasked', async () => {
    const checked: string[] = [];
    const messages: string[] = [];
    await startService({
      isolation: 'none',
      serviceId: 'own-check',
      command: process.execPath,
      args: ['-e', 'process.stdout.write("alpha\\nbeta\\n")'],
      cwd: dir.path,
      redact: (text) => text.toUpperCase(),
      redactCheck: (block) => {
        checked.push(block);
        return false;
      },
      onLog: (record) => {
        if (record.stream === 'stdout') messages.push(record.message);
      },
    }).ended;
    expect(checked).toEqual(['alpha\nbeta']);
    expect(messages).toEqual(['alpha', 'beta']);
  });

  it('a throwing onLog never stops the capture', async () => {
    let calls = 0;
    const report = await startService({
      isolation: 'none',
      serviceId: 'throws',
      command: process.execPath,
      args: ['-e', 'for (let i = 0; i < 100; i++) console.log(i)'],
      cwd: dir.path,
      onLog: () => {
        calls++;
        throw new Error('callback bug');
      },
    }).ended;
    expect(calls).toBeGreaterThan(100);
    expect(report.stdoutTail.trim().split('\n')).toHaveLength(100);
  });

  it('a throwing onLog hides no line from a readiness wait, and is reported once', async () => {
    const { logger, records } = memoryLogger();
    const proc = startService({
      isolation: 'none',
      serviceId: 'throws-ready',
      command: process.execPath,
      args: ['-e', 'console.log("booting"); console.log("ready"); setInterval(() => {}, 1000)'],
      cwd: dir.path,
      logger,
      onLog: () => {
        throw new Error('callback bug');
      },
    });
    try {
      expect(await proc.waitReady({ pattern: /^ready$/, timeoutMs: 30_000 })).toMatchObject({ ready: true });
      expect(records.filter((r) => String(r.msg).includes('a log callback threw'))).toHaveLength(1);
    } finally {
      await proc.stop();
    }
  });

  it('200 MB on stdout and 200 MB on stderr, interleaved: no blocking, bounded memory', async () => {
    let lines = 0;
    let peak = process.memoryUsage().rss;
    const before = peak;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const proc = startService({
      isolation: 'none',
      serviceId: 'flood',
      command: 'python3',
      args: [fixture('interleaved.py'), '200'],
      cwd: dir.path,
      logOutput: false,
      onLog: (r) => {
        if (r.stream !== 'system') lines++;
      },
    });
    const report = await proc.ended;
    clearInterval(sampler);
    expect(report.exit.code).toBe(0);
    const perStream = Math.ceil((200 * 1024 * 1024) / (655 * 100)) * 655;
    expect(lines).toBe(perStream * 2);
    // Every byte is either in the tail or counted in the field; the text carries no marker line.
    expect(report.stdoutDroppedBytes + report.stdoutTail.length).toBe(perStream * 100);
    expect(report.stderrDroppedBytes).toBeGreaterThan(0);
    expect(report.stderrTail.startsWith('[... ')).toBe(false);
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
  }, 180_000);

  it('types: the public API', () => {
    expectTypeOf(startService).parameter(0).toEqualTypeOf<StartOptions>();
    expectTypeOf(startService).returns.toEqualTypeOf<ServiceProcess>();
    expectTypeOf<ServiceProcess['ended']>().toEqualTypeOf<Promise<DiedReport>>();
    expectTypeOf<ServiceLogRecord['stream']>().toEqualTypeOf<'stdout' | 'stderr' | 'system'>();
    expectTypeOf<DiedReport['category']>().toEqualTypeOf<
      | 'none'
      | 'validation'
      | 'dependency'
      | 'port_conflict'
      | 'syntax'
      | 'permission'
      | 'environment'
      | 'out_of_memory'
      | 'resource_limit'
      | 'startup_timeout'
      | 'killed'
      | 'process_crash'
      | 'security'
      | 'unknown'
    >();
  });
});
