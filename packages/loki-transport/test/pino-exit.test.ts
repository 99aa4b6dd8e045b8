import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { LokiReceiver } from '@pactown/loki-receiver';
import { startLokiReceiver } from './helpers/receiver.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PINO_APP } from './faces.js';

let receiver: LokiReceiver;
beforeEach(async () => {
  receiver = await startLokiReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const options = () => JSON.stringify({ url: receiver.url, labels: { service: 'api' }, metricsInterval: 0 });

describe('pino worker at process end', () => {
  it('delivers lines logged right before process.exit()', async () => {
    const child = spawn(process.execPath, [PINO_APP, options(), 'exit', '20000'], { stdio: 'inherit' });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(receiver.entryCount).toBe(20_000);
    expect(receiver.query('{service="api"} |= "before-exit line 19999"').result).toHaveLength(1);
  }, 60_000);

  it('delivers lines logged in a SIGTERM handler that exits', async () => {
    const child = spawn(process.execPath, [PINO_APP, options(), 'sigterm', '1000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve) => child.stdout.on('data', (d: string) => d.includes('ready') && resolve()));
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(receiver.entryCount).toBe(1000);
  }, 60_000);
});
