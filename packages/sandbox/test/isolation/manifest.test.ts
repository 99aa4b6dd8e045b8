import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManifest, checkManifest, writeManifest } from '../../src/process/isolation/manifest.js';
import { world } from './helpers.js';

describe('cache entry manifest', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let venv: string;
  let manifest: string;
  let site: string;

  beforeAll(async () => {
    w = await world();
    venv = join(w.cache, 'venv_manifest');
    manifest = `${venv}.manifest.json`;
    execFileSync('/usr/bin/python3', ['-m', 'venv', '--without-pip', venv]);
    site = execFileSync(
      join(venv, 'bin', 'python'),
      ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
      { encoding: 'utf8' },
    ).trim();
    mkdirSync(join(site, 'pkg'));
    writeFileSync(join(site, 'pkg', '__init__.py'), 'VALUE = 1\n');
  }, 60_000);
  afterAll(async () => {
    await w.remove();
  });

  it('records files with hashes and symlinks with targets, never following them', () => {
    const m = writeManifest(venv, manifest);
    const python = m.entries.find((e) => e.path === 'bin/python');
    expect(python).toMatchObject({ type: 'symlink' });
    expect(python!.digest).toMatch(/python3/);
    const init = m.entries.find((e) => e.path.endsWith('pkg/__init__.py'));
    expect(init).toMatchObject({ type: 'file', size: 10 });
    expect(init!.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(checkManifest(venv, manifest)).toEqual({ ok: true, problems: [] });
  });

  it('notices a planted sitecustomize.py, a changed file of the same size, a changed mode, a missing file and a retargeted link', () => {
    writeManifest(venv, manifest);
    const rel = site.slice(venv.length + 1);
    writeFileSync(join(site, 'sitecustomize.py'), 'print("pwned")\n');
    writeFileSync(join(site, 'pkg', '__init__.py'), 'VALUE = 2\n'); // same size, other content
    expect(checkManifest(venv, manifest)).toEqual({
      ok: false,
      problems: [`changed: ${rel}/pkg/__init__.py`, `added: ${rel}/sitecustomize.py`],
    });
    unlinkSync(join(site, 'sitecustomize.py'));
    writeFileSync(join(site, 'pkg', '__init__.py'), 'VALUE = 1\n');
    expect(checkManifest(venv, manifest).ok).toBe(true);

    chmodSync(join(site, 'pkg', '__init__.py'), 0o777);
    expect(checkManifest(venv, manifest).problems).toEqual([`changed: ${rel}/pkg/__init__.py`]);
    chmodSync(join(site, 'pkg', '__init__.py'), 0o644);

    renameSync(join(venv, 'pyvenv.cfg'), join(w.root, 'pyvenv.cfg'));
    expect(checkManifest(venv, manifest).problems).toEqual(['missing: pyvenv.cfg']);
    renameSync(join(w.root, 'pyvenv.cfg'), join(venv, 'pyvenv.cfg'));

    unlinkSync(join(venv, 'bin', 'python'));
    symlinkSync('/bin/sh', join(venv, 'bin', 'python'));
    expect(checkManifest(venv, manifest).problems).toEqual(['changed: bin/python']);
  });

  it('treats a missing or broken manifest as a failed check', () => {
    expect(checkManifest(venv, join(w.root, 'nope.json')).problems[0]).toMatch(/^no usable manifest/);
    writeFileSync(join(w.root, 'bad.json'), '{"version":2}');
    expect(checkManifest(venv, join(w.root, 'bad.json')).ok).toBe(false);
  });

  it('lists at most 20 problems', () => {
    const dir = join(w.root, 'many');
    mkdirSync(dir);
    writeManifest(dir, join(w.root, 'many.json'));
    for (let i = 0; i < 30; i++) writeFileSync(join(dir, `f${i}`), String(i));
    expect(checkManifest(dir, join(w.root, 'many.json')).problems).toHaveLength(20);
    rmSync(dir, { recursive: true });
    expect(buildManifest(w.logs).entries).toEqual([]);
  });
});
