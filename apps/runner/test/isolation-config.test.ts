import { describe, expect, it } from 'vitest';
import { chooseIsolation } from '../src/app/app.js';
import { loadConfig } from '../src/config/config.js';

const TOKENS = { PACTOWN_API_TOKENS: 'alice:alice-token-1,bob:bob-token-22' };
const NO_BWRAP = '/nonexistent/bwrap-for-this-test';

function warnings() {
  const seen: string[] = [];
  return { seen, logger: { warn: (_fields: object, message: string) => void seen.push(message) } };
}

describe('PACTOWN_ISOLATION', () => {
  it('reads namespaces and none, unset means the sandbox default, anything else names the variable', () => {
    expect(loadConfig({}).isolation).toBeNull();
    expect(loadConfig({ PACTOWN_ISOLATION: 'namespaces' }).isolation).toBe('namespaces');
    expect(loadConfig({ PACTOWN_ISOLATION: ' None ' }).isolation).toBe('none');
    expect(() => loadConfig({ PACTOWN_ISOLATION: 'chroot' })).toThrow(
      /PACTOWN_ISOLATION' must be 'namespaces' or 'none'/,
    );
    expect(() => loadConfig({ PACTOWN_ISOLATON: 'none' })).toThrow(/did you mean 'PACTOWN_ISOLATION'/);
  });

  // First to probe the missing bwrap: the fallback warning is said once per process.
  it('falls back to none with one warning in single-user mode', () => {
    const { seen, logger } = warnings();
    expect(chooseIsolation(loadConfig({}), { logger, bwrap: NO_BWRAP })).toBe('none');
    expect(chooseIsolation(loadConfig({}), { logger, bwrap: NO_BWRAP })).toBe('none');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/isolation unavailable/i);
  });

  it('refuses multi-user mode when bwrap cannot work, saying why and how to go on', () => {
    const config = loadConfig(TOKENS);
    const { logger } = warnings();
    let thrown: (Error & { code?: string }) | undefined;
    try {
      chooseIsolation(config, { logger, bwrap: NO_BWRAP });
    } catch (error) {
      thrown = error as Error & { code?: string };
    }
    expect(thrown?.code).toBe('PACTOWN_RUNNER_ISOLATION_REQUIRED');
    expect(thrown?.message).toMatch(/multi-user mode/);
    expect(thrown?.message).toMatch(/PACTOWN_ISOLATION=none/);
  });

  it('runs multi-user without isolation only when PACTOWN_ISOLATION=none is written out', () => {
    const config = loadConfig({ ...TOKENS, PACTOWN_ISOLATION: 'none' });
    expect(chooseIsolation(config, { bwrap: NO_BWRAP })).toBe('none');
  });

  it('uses namespaces in multi-user mode where bwrap works on this machine', () => {
    expect(chooseIsolation(loadConfig(TOKENS))).toBe('namespaces');
  });
});
