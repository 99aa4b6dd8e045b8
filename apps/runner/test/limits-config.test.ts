import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { type Harness, startHarness } from './helpers/harness.js';

const FENCE = '```';
const SPIN = `# Spin

${FENCE}javascript markpact:file path=spin.mjs
for (;;) {}
${FENCE}

${FENCE}bash markpact:run
node spin.mjs
${FENCE}
`;

describe('containment settings reach the sandbox (issue 13)', () => {
  it('reads each limit as an integer or unlimited, and the network as host or none', () => {
    const config = loadConfig({
      PACTOWN_LIMIT_MEMORY_BYTES: '268435456',
      PACTOWN_LIMIT_PROCESSES: '64',
      PACTOWN_LIMIT_CPU_SECONDS: 'Unlimited',
      PACTOWN_NETWORK: 'none',
    });
    expect(config.limits).toEqual({ memoryBytes: 268435456, processes: 64, cpuSeconds: null });
    expect(config.network).toBe('none');
    expect(loadConfig({}).limits).toEqual({});
    expect(loadConfig({}).network).toBeNull();
    expect(() => loadConfig({ PACTOWN_LIMIT_MEMORY_BYTES: '1024' })).toThrow(
      /PACTOWN_LIMIT_MEMORY_BYTES' must be an integer from 16777216 or 'unlimited'/,
    );
    expect(() => loadConfig({ PACTOWN_LIMIT_OPEN_FILE: '10' })).toThrow(/did you mean 'PACTOWN_LIMIT_OPEN_FILES'/);
    expect(() => loadConfig({ PACTOWN_NETWORK: 'bridge' })).toThrow(/PACTOWN_NETWORK' must be 'host' or 'none'/);
  });
});

describe('PACTOWN_LIMIT_CPU_SECONDS through the real app', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ loki: false, env: { PACTOWN_ISOLATION: 'none', PACTOWN_LIMIT_CPU_SECONDS: '1' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a service that spins is stopped by the limit and the run says which one', async () => {
    const res = await h.request('POST', '/run', { service_id: 'spin', content: SPIN });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, error_category: 'resource_limit' });
    expect(JSON.stringify(res.body.suggestions)).toMatch(/cpuSeconds/);
    const info = await h.request('GET', '/services/spin');
    expect(info.body).toMatchObject({ status: 'failed', error_category: 'resource_limit' });
  }, 30_000);
});
