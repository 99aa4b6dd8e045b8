// The shared cache checks each entry against its manifest before reuse: the
// sitecustomize.py attack of a service running under isolation 'none'.
import { readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvCache, type EnvKind } from '../../src/deps/cache.js';
import { recordingSink } from '../deps/helpers.js';
import { world } from './helpers.js';

function pyLikeKind(): EnvKind & { builds: number } {
  const kind = {
    prefix: 'venv',
    label: 'venv',
    builds: 0,
    async build(target: string) {
      kind.builds += 1;
      await writeFile(join(target, 'ok'), 'ok');
      await writeFile(join(target, 'lib.py'), 'VALUE = 1\n');
    },
    async verify(target: string) {
      return readdir(target).then(
        (names) => names.includes('ok'),
        () => false,
      );
    },
  };
  return kind;
}

describe('cache entries and their manifests', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.remove();
  });

  it('reuses an untouched entry, and discards one a service planted a file in, saying so', async () => {
    const cache = new EnvCache({ dir: join(w.cache, 'planted') });
    const kind = pyLikeKind();
    const first = await cache.acquire(kind, ['x'], recordingSink());
    expect(existsSync(join(w.cache, 'planted', '.manifests', 'venvs', `${first.dir.split('/').pop()}.json`))).toBe(
      true,
    );
    first.release();
    const again = await cache.acquire(kind, ['x'], recordingSink());
    expect(again.hit).toBe(true);
    again.release();

    await writeFile(join(first.dir, 'sitecustomize.py'), 'print("pwned")\n');
    const sink = recordingSink();
    const rebuilt = await cache.acquire(kind, ['x'], sink);
    expect(rebuilt.hit).toBe(false);
    expect(kind.builds).toBe(2);
    const warning = sink.messages.find((m) => m.level === 'warn');
    expect(warning?.message).toMatch(
      /^Cached venv_[0-9a-f]{16} failed verification \(its files differ from its manifest: added: sitecustomize.py\); discarding and rebuilding$/,
    );
    expect(existsSync(join(rebuilt.dir, 'sitecustomize.py'))).toBe(false);
    rebuilt.release();
  });

  it('discards an entry whose file was changed in place, same size', async () => {
    const cache = new EnvCache({ dir: join(w.cache, 'changed') });
    const kind = pyLikeKind();
    const first = await cache.acquire(kind, ['y'], recordingSink());
    first.release();
    await writeFile(join(first.dir, 'lib.py'), 'VALUE = 2\n');
    const sink = recordingSink();
    expect((await cache.acquire(kind, ['y'], sink)).hit).toBe(false);
    expect(sink.messages.some((m) => m.message.includes('changed: lib.py'))).toBe(true);
  });
});
