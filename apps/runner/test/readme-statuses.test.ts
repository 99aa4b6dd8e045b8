import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, nodeService, startHarness } from './helpers/harness.js';

const ALICE = 'alice-token-0001';
const BOB = 'bob-token-000002';
const README = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');

/** The README's API table: first cell (the route) to the whole row. */
async function apiTable(): Promise<Map<string, string>> {
  const text = await fs.readFile(README, 'utf8');
  const section = text.slice(text.indexOf('## API'), text.indexOf('\n## ', text.indexOf('## API') + 1));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = /^\| `([A-Z]+ [^`\s]+)[^|]*\|(.*)\|$/.exec(line);
    if (cells) rows.set(cells[1]!, cells[2]!);
  }
  return rows;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    loki: false,
    env: { PACTOWN_API_TOKENS: `alice:${ALICE},bob:${BOB}`, PACTOWN_RATE_BURST: '50' },
  });
});
afterAll(async () => {
  await h?.close();
});

describe('the README API table names every status a route answers', () => {
  it('lists what the routes really answer', async () => {
    const seen: Array<[string, number]> = [];
    const call = async (
      row: string,
      method: string,
      route: string,
      body?: unknown,
      token = ALICE,
      raw?: { type: string; text: string },
    ) => {
      let status: number;
      if (raw) {
        const res = await fetch(`${h.url}${route}`, {
          method,
          headers: { 'content-type': raw.type, authorization: `Bearer ${token}` },
          body: raw.text,
        });
        await res.text();
        status = res.status;
      } else status = (await h.request(method, route, body, token)).status;
      seen.push([row, status]);
      return status;
    };
    expect(await call('POST /run', 'POST', '/run', { service_id: 'mine', content: nodeService() })).toBe(200);
    expect(await call('POST /run', 'POST', '/run', { service_id: 'x' })).toBe(400);
    expect(
      await call('POST /run', 'POST', '/run', undefined, ALICE, { type: 'application/json', text: '{not json' }),
    ).toBe(400);
    expect(await call('POST /run', 'POST', '/run', undefined, ALICE, { type: 'text/plain', text: 'hello' })).toBe(400);
    expect(await call('POST /run', 'POST', '/run', undefined, ALICE, { type: 'application/xml', text: '<a/>' })).toBe(
      415,
    );
    expect(
      await call('POST /run', 'POST', '/run', undefined, ALICE, {
        type: 'application/json',
        text: JSON.stringify({ content: 'x'.repeat(3 * 1024 * 1024) }),
      }),
    ).toBe(413);
    expect(await call('POST /run', 'POST', '/run', { service_id: 'x', content: '# x' }, '')).toBe(401);
    expect(await call('POST /run', 'POST', '/run', { service_id: 'x', content: '# x', user_id: 'bob' })).toBe(403);
    expect(await call('POST /run', 'POST', '/run', { service_id: 'mine', content: '# x' }, BOB)).toBe(409);
    expect(
      await call('POST /run/stream', 'POST', '/run/stream', { service_id: 'x', content: '# x', user_id: 'bob' }),
    ).toBe(403);
    expect(await call('POST /run/stream', 'POST', '/run/stream', { service_id: 'x' })).toBe(400);
    expect(await call('POST /stop', 'POST', '/stop', {})).toBe(400);
    expect(await call('POST /stop', 'POST', '/stop', { service_id: 'nope' })).toBe(404);
    expect(await call('GET /services', 'GET', '/services')).toBe(200);
    expect(await call('GET /services/:id', 'GET', '/services/..bad')).toBe(400);
    expect(await call('GET /services/:id', 'GET', '/services/nope')).toBe(404);
    expect(await call('DELETE /services/:id', 'DELETE', '/services/mine')).toBe(409);
    expect(await call('DELETE /services/:id', 'DELETE', '/services/nope')).toBe(404);
    expect(await call('GET /services/:id/logs', 'GET', '/services/mine/logs?level=loud')).toBe(400);
    expect(await call('GET /services/:id/logs', 'GET', '/services/nope/logs')).toBe(404);
    expect(await call('GET /services/:id/error-log', 'GET', '/services/mine/error-log')).toBe(404);
    expect(await call('GET /services/:id/error-log', 'GET', '/services/..bad/error-log')).toBe(400);
    expect(await call('GET /services/:id/error-report', 'GET', '/services/mine/error-report')).toBe(404);
    expect(await call('GET /metrics', 'GET', '/metrics', undefined, '')).toBe(401);
    expect(await call('GET /health', 'GET', '/health', undefined, '')).toBe(200);
    expect(await call('POST /stop', 'POST', '/stop', { service_id: 'mine' })).toBe(200);
    expect(await call('DELETE /services/:id', 'DELETE', '/services/mine')).toBe(200);

    const table = await apiTable();
    const text = await fs.readFile(README, 'utf8');
    // Answers every route can give are listed once, under the table.
    const common = /Every route can also answer ([^.]*)\./.exec(text)?.[1] ?? '';
    const missing: string[] = [];
    for (const [row, status] of seen) {
      const cell = table.get(row);
      expect(cell, row).toBeDefined();
      if (status === 200) continue;
      if (!cell!.includes(`\`${status}\``) && !common.includes(`\`${status}\``)) missing.push(`${row}: ${status}`);
    }
    expect(missing).toEqual([]);
  });
});
