import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@pactown/test-helpers';
import { type StartOptions, startService } from '../../src/index.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

const start = (extra: Record<string, unknown>) => () =>
  startService({
    isolation: 'none',
    serviceId: 'opts',
    command: process.execPath,
    args: ['-e', '0'],
    cwd: dir.path,
    ...extra,
  } as unknown as StartOptions);

describe('startService options', () => {
  it.each([
    ['env', 'abc'],
    ['env', ['A=1']],
    ['env', null],
    ['env', { A: { nested: true } }],
    ['envAllowList', 'PATH'],
    ['envAllowList', [1]],
    ['logOutput', 'no'],
    ['stopOnExit', 'yes'],
    ['announceDeath', 0],
    ['envDir', 42],
  ])('rejects %s: %j with a TypeError naming the option', (name, value) => {
    expect(start({ [name]: value })).toThrow(TypeError);
    expect(start({ [name]: value })).toThrow(new RegExp(`\\b${name}\\b`));
  });

  it('accepts the valid forms', async () => {
    const proc = start({
      env: { A: '1', B: 2, C: true, D: undefined },
      envAllowList: ['PATH', 'LC_*'],
      logOutput: false,
      stopOnExit: false,
      announceDeath: false,
      envDir: null,
    })();
    await proc.ended;
    const other = start({ envDir: dir.path })();
    expect((await other.ended).envDir).toBe(dir.path);
  });
});
