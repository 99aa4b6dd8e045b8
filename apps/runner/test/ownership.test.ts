import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceRegistry } from '../src/services/registry.js';
import { type Harness, nodeService, startHarness } from './helpers/harness.js';
import { SseClient } from './helpers/sse.js';

const ALICE = 'alice-token-0001';
const BOB = 'bob-token-000002';
const SECRET = 'alice-secret-stderr-4711';

/** A Node service that writes to stderr and exits before it listens: a failed run with an error file. */
function failingService(text: string): string {
  const fence = '```';
  return `# Failing service

${fence}javascript markpact:file path=server.mjs
console.error(${JSON.stringify(text)});
process.exit(2);
${fence}

${fence}bash markpact:run
node server.mjs
${fence}
`;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    loki: false,
    env: { PACTOWN_API_TOKENS: `alice:${ALICE},bob:${BOB}`, PACTOWN_RATE_BURST: '50', PACTOWN_MAX_SERVICES: '5' },
  });
});
afterAll(async () => {
  await h?.close();
});

describe("a service id stays its owner's after the service ended", () => {
  it('answers 409 to another user for an ended service and never serves them its error file', async () => {
    const failed = await h.request('POST', '/run', { service_id: 'shared', content: failingService(SECRET) }, ALICE);
    expect(failed.body).toMatchObject({ success: false });
    expect(failed.body.error_log).toBeTruthy();
    expect((await h.request('GET', '/services/shared', undefined, ALICE)).body.status).toBe('failed');

    const taken = await h.request('POST', '/run', { service_id: 'shared', content: nodeService() }, BOB);
    expect(taken.status).toBe(409);
    expect(taken.text).not.toContain(SECRET);
    for (const route of [
      '/services/shared/error-log',
      '/services/shared/error-log?format=json',
      '/services/shared/error-report',
      '/services/shared/logs',
      '/services/shared',
    ]) {
      const res = await h.request('GET', route, undefined, BOB);
      expect(res.status, route).toBe(404);
      expect(res.text, route).not.toContain(SECRET);
    }
    // The owner still reads it, and may run the id again.
    const own = await h.request('GET', '/services/shared/error-log', undefined, ALICE);
    expect(own.status).toBe(200);
    expect(own.text).toContain(SECRET);
    const again = await h.request('POST', '/run', { service_id: 'shared', content: failingService(SECRET) }, ALICE);
    expect(again.status).toBe(200);
    // A stopped service stays owned too.
    const ok = await h.request('POST', '/run', { service_id: 'alice-stopped', content: nodeService() }, ALICE);
    expect(ok.body.success).toBe(true);
    expect((await h.request('POST', '/stop', { service_id: 'alice-stopped' }, ALICE)).status).toBe(200);
    expect((await h.request('POST', '/run', { service_id: 'alice-stopped', content: nodeService() }, BOB)).status).toBe(
      409,
    );
  });

  it('after the owner deletes it, another user may take the id but does not get the old error file', async () => {
    expect((await h.request('DELETE', '/services/shared', undefined, BOB)).status).toBe(404);
    const deleted = await h.request('DELETE', '/services/shared', undefined, ALICE);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ success: true, service_id: 'shared' });
    expect((await h.request('GET', '/services/shared', undefined, ALICE)).status).toBe(404);

    const bob = await h.request('POST', '/run', { service_id: 'shared', content: nodeService() }, BOB);
    expect(bob.body.success).toBe(true);
    for (const route of [
      '/services/shared/error-log',
      '/services/shared/error-log?format=json',
      '/services/shared/error-report',
    ]) {
      const res = await h.request('GET', route, undefined, BOB);
      expect(res.status, route).toBe(404);
      expect(res.text, route).not.toContain(SECRET);
    }
    expect((await h.request('POST', '/run', { service_id: 'shared', content: nodeService() }, ALICE)).status).toBe(409);
    // A running service cannot be deleted; stop it first.
    expect((await h.request('DELETE', '/services/shared', undefined, BOB)).status).toBe(409);
    expect((await h.request('POST', '/stop', { service_id: 'shared' }, BOB)).status).toBe(200);
    expect((await h.request('DELETE', '/services/shared', undefined, BOB)).status).toBe(200);
  });
});

describe("deleting ends the owner's log streams", () => {
  it("closes an open SSE stream with a forgotten status, so the next user's lines never reach it", async () => {
    const run = await h.request(
      'POST',
      '/run',
      { service_id: 'streamed', content: nodeService({ lines: 2, prefix: 'alice-line' }) },
      ALICE,
    );
    expect(run.body.success).toBe(true);
    expect((await h.request('POST', '/stop', { service_id: 'streamed' }, ALICE)).status).toBe(200);
    const alice = new SseClient(`${h.url}/services/streamed/logs`, { authorization: `Bearer ${ALICE}` });
    await alice.waitFor((e) => e.event === 'ready', 'ready');
    expect((await h.request('DELETE', '/services/streamed', undefined, ALICE)).status).toBe(200);
    await alice.waitFor((e) => e.event === 'status' && e.data.status === 'forgotten', 'forgotten');
    await alice.ended();
    const bob = await h.request(
      'POST',
      '/run',
      { service_id: 'streamed', content: nodeService({ lines: 2, prefix: 'bob-line' }) },
      BOB,
    );
    expect(bob.body.success).toBe(true);
    expect(alice.logs().some((l) => l.includes('bob-line'))).toBe(false);
    const bobStream = new SseClient(`${h.url}/services/streamed/logs`, { authorization: `Bearer ${BOB}` });
    await bobStream.waitFor((e) => e.event === 'ready', 'ready');
    expect(bobStream.logs().some((l) => l.includes('alice-line'))).toBe(false);
    bobStream.close();
    expect((await h.request('POST', '/stop', { service_id: 'streamed' }, BOB)).status).toBe(200);
  });
});

describe('ServiceRegistry retention', () => {
  it("keeps an ended id its owner's until it is among the oldest past keepEnded", () => {
    const registry = new ServiceRegistry({ keepEnded: 2 });
    for (const id of ['a', 'b', 'c']) {
      registry.begin(id, 'alice', null);
      registry.update(id, { status: 'failed', errorLog: `/logs/service_${id}_error.log` });
    }
    // Three ended, two kept once the next run trims: 'a' (the oldest) is forgotten.
    expect(() => registry.begin('b', 'bob', null)).toThrow(/another user/);
    registry.begin('d', 'bob', null);
    expect(registry.get('a')).toBeUndefined();
    expect(registry.ownerOf('b')).toBe('alice');
    // A forgotten id is free, and its new owner does not inherit the error file.
    expect(registry.begin('a', 'bob', null).hasErrorFile).toBe(false);
    // The owner's own later runs keep theirs.
    expect(registry.ownerOf('c')).toBe('alice');
    expect(registry.begin('c', 'alice', null).hasErrorFile).toBe(true);
    expect(registry.remove('c')).toBeUndefined(); // still active
    registry.update('c', { status: 'stopped' });
    expect(registry.remove('c')?.userId).toBe('alice');
    expect(registry.begin('c', 'bob', null).hasErrorFile).toBe(false);
  });
});
