/**
 * Reads the cgroup v2 OOM-kill counter, so a SIGKILL that the kernel's OOM
 * killer sent can be told apart from one someone else sent.
 */
import { readFileSync } from 'node:fs';

let eventsPath: string | null | undefined;

function memoryEventsPath(): string | null {
  if (eventsPath !== undefined) return eventsPath;
  eventsPath = null;
  try {
    const line = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'));
    if (line !== undefined) eventsPath = `/sys/fs/cgroup${line.slice(3).replace(/\/$/, '')}/memory.events`;
  } catch {
    // Not Linux, or no cgroup v2: the counter is simply unavailable.
  }
  return eventsPath;
}

/** The number of OOM kills in our cgroup so far, or `null` when it cannot be read. */
export function oomKillCount(): number | null {
  const path = memoryEventsPath();
  if (path === null) return null;
  try {
    const m = /^oom_kill (\d+)$/m.exec(readFileSync(path, 'utf8'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}
