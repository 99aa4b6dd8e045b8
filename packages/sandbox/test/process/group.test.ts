import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { groupAlive, groupMembers, waitGroupGone } from '../../src/process/group.js';

const linux = process.platform === 'linux';

/** A shell leading its own group, with a child in the same group; prints the child's PID. */
async function groupWithChild(script: string): Promise<{ leader: number; child: number }> {
  const sh = spawn('/bin/sh', ['-c', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const child = await new Promise<number>((resolve) => {
    sh.stdout.setEncoding('utf8').once('data', (chunk: string) => resolve(Number(chunk.trim())));
  });
  return { leader: sh.pid!, child };
}

describe.runIf(linux)('groupAlive', () => {
  it('is true while the leader lives, and false once the whole group is gone', async () => {
    const { leader } = await groupWithChild('sleep 30 & echo $!; wait');
    expect(groupAlive(leader)).toBe(true);
    process.kill(-leader, 'SIGKILL');
    expect(await waitGroupGone(leader, 2_000)).toBe(true);
    expect(groupAlive(leader)).toBe(false);
  });

  it('still sees a member the leader left behind when the leader is gone', async () => {
    // The leader exits at once; its background child stays in the group.
    const { leader, child } = await groupWithChild('sleep 30 & echo $!');
    try {
      for (let i = 0; i < 200 && groupMembers(leader)!.includes(leader); i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(groupMembers(leader)).toEqual([child]);
      expect(groupAlive(leader)).toBe(true);
    } finally {
      process.kill(-leader, 'SIGKILL');
    }
    expect(await waitGroupGone(leader, 2_000)).toBe(true);
  });
});
