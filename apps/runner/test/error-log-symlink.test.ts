import fs from 'node:fs/promises';
import path from 'node:path';
import { crashingService } from '@pactown/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers/harness.js';

const FORMS = ['/error-log', '/error-log?format=json', '/error-report'];

describe('the error-log route (issue 15 item 17)', () => {
  let h: Harness;
  let file: string;
  beforeAll(async () => {
    h = await startHarness({ loki: false });
    const run = await h.request('POST', '/run', {
      service_id: 'crashy',
      content: crashingService({ stderr: 'Error: boom', code: 1 }),
    });
    expect(run.body.success).toBe(false);
    file = run.body.error_log;
    expect(file).toBe(path.join(h.config.logDir, 'service_crashy_error.log'));
  });
  afterAll(async () => {
    await h.close();
  });

  const answers = () => Promise.all(FORMS.map((form) => h.request('GET', `/services/crashy${form}`)));

  it('serves the file in all three forms while it is a regular file', async () => {
    const [text, json, md] = await answers();
    expect([text!.status, json!.status, md!.status]).toEqual([200, 200, 200]);
    expect(text!.text).toMatch(/^Exit code: 1\n/);
    expect(json!.body).toMatchObject({ serviceId: 'crashy', exit: { code: 1 } });
    expect(md!.text).toMatch(/^#/m);
  });

  it('follows a symlink in none of the three forms, and all three answer alike', async () => {
    const secret = path.join(h.home, 'operator-secret.txt');
    await fs.writeFile(secret, 'Exit code: 0\nSECRET-CONTENT-42\n');
    await fs.rename(file, `${file}.moved`);
    await fs.symlink(secret, file);
    try {
      const all = await answers();
      for (const res of all) {
        expect(res.status).toBe(404);
        expect(res.text).not.toContain('SECRET-CONTENT-42');
        expect(res.body).toEqual({ success: false, error: 'not_found', message: 'no error file for crashy' });
      }
    } finally {
      await fs.rm(file);
      await fs.rename(`${file}.moved`, file);
    }
  });

  it('answers a folder in its place, and a missing file, the same way', async () => {
    await fs.rename(file, `${file}.moved`);
    try {
      await fs.mkdir(file);
      for (const res of await answers()) expect([res.status, res.body.error]).toEqual([404, 'not_found']);
      await fs.rmdir(file);
      for (const res of await answers()) expect([res.status, res.body.error]).toEqual([404, 'not_found']);
    } finally {
      await fs.rename(`${file}.moved`, file);
    }
    expect((await answers()).map((r) => r.status)).toEqual([200, 200, 200]);
  });
});
