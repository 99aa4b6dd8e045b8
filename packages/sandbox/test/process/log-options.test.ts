import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@pactown/test-helpers';
import { startService } from '../../src/index.js';
import { collector, memoryLogger } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

const FAILING = 'console.log("to stdout"); console.error("to stderr"); process.exit(1)';

describe('announceDeath and logOutput', () => {
  it('announceDeath (default true) logs ❌ <exit message> at ERROR on an unplanned end', async () => {
    const log = collector();
    const { logger, records } = memoryLogger();
    const proc = startService({
      isolation: 'none',
      serviceId: 'loud',
      command: process.execPath,
      args: ['-e', FAILING],
      cwd: dir.path,
      logger,
      onLog: log.onLog,
    });
    await proc.ended;
    expect(log.records.find((r) => r.message === '❌ Process exited with code: 1')).toMatchObject({
      stream: 'system',
      level: 50,
      levelName: 'ERROR',
    });
    expect(records.find((r) => r.msg === '❌ Process exited with code: 1')).toMatchObject({
      level: 50,
      category: 'process_crash',
    });
  });

  it('announceDeath: false keeps the end quiet: no ❌ record, the exit message only at DEBUG', async () => {
    const log = collector();
    const { logger, records } = memoryLogger();
    const proc = startService({
      isolation: 'none',
      serviceId: 'quiet',
      command: process.execPath,
      args: ['-e', FAILING],
      cwd: dir.path,
      logger,
      onLog: log.onLog,
      announceDeath: false,
    });
    const report = await proc.ended;
    expect(report.category).toBe('process_crash');
    expect(log.messages().some((m) => m.startsWith('❌'))).toBe(false);
    expect(log.records.some((r) => r.level >= 50)).toBe(false);
    expect(records.some((r) => String(r.msg).startsWith('❌'))).toBe(false);
    expect(records.some((r) => r.level >= 50)).toBe(false);
    expect(records.find((r) => r.msg === 'Process exited with code: 1')).toMatchObject({ level: 20 });
  });

  it('logOutput: false keeps output lines from the logger, while onLog still gets them', async () => {
    const log = collector();
    const { logger, records } = memoryLogger();
    const proc = startService({
      isolation: 'none',
      serviceId: 'no-output',
      command: process.execPath,
      args: ['-e', FAILING],
      cwd: dir.path,
      logger,
      onLog: log.onLog,
      logOutput: false,
    });
    await proc.ended;
    expect(log.records.find((r) => r.message === 'to stdout')).toMatchObject({ stream: 'stdout' });
    expect(log.records.find((r) => r.message === 'to stderr')).toMatchObject({ stream: 'stderr' });
    expect(records.some((r) => r.stream === 'stdout' || r.stream === 'stderr')).toBe(false);
    expect(records.some((r) => r.msg === 'to stdout' || r.msg === 'to stderr')).toBe(false);
    // Messages about the service still reach the logger.
    expect(records.map((r) => r.msg)).toEqual(
      expect.arrayContaining([`Process started with PID: ${proc.pid}`, '❌ Process exited with code: 1']),
    );
  });

  it('logOutput (default true) logs every output line at INFO with its stream', async () => {
    const { logger, records } = memoryLogger();
    const proc = startService({
      isolation: 'none',
      serviceId: 'with-output',
      command: process.execPath,
      args: ['-e', FAILING],
      cwd: dir.path,
      logger,
    });
    await proc.ended;
    expect(records.find((r) => r.msg === 'to stdout')).toMatchObject({
      stream: 'stdout',
      level: 30,
      service: 'with-output',
    });
    expect(records.find((r) => r.msg === 'to stderr')).toMatchObject({
      stream: 'stderr',
      level: 30,
      service: 'with-output',
    });
  });
});
