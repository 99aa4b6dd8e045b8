/**
 * The whole process tree of a sandboxed service, found through its PID
 * namespace (a grandchild that calls setsid() or double-forks is still in
 * it), and ended so that none outlives the service: SIGTERM to every member,
 * then SIGKILL to the namespace's init, which makes the kernel kill the rest.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { readProcText } from '../proc-file.js';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** The command name from /proc/<pid>/stat. */
  name: string;
  state: string;
}

function readProc(pid: number): ProcInfo | null {
  let stat: string;
  try {
    stat = readProcText(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ', 2);
  return { pid, ppid: Number(fields[1]), name: stat.slice(open + 1, close), state: fields[0] ?? '?' };
}

/** The names of the process folders in /proc (`'1'`, `'4711'`, ...); none when /proc cannot be read. */
export function procPidEntries(): string[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((entry) => {
    const c = entry.charCodeAt(0);
    return c >= 48 && c <= 57;
  });
}

/** Every live (non-zombie) process of the host, from /proc. */
export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of procPidEntries()) {
    const info = readProc(Number(entry));
    if (info !== null && info.state !== 'Z' && info.state !== 'X') out.push(info);
  }
  return out;
}

/** The PID namespace of a process (`pid:[4026532]`), or `null` when it is gone. */
export function pidNamespaceOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/**
 * The host PID of the init of the namespace bwrap made (bwrap's child in
 * another PID namespace), or `null` when there is none (yet, or any more).
 */
export function sandboxInit(bwrapPid: number): number | null {
  const own = pidNamespaceOf(bwrapPid);
  if (own === null) return null;
  for (const proc of listProcesses()) {
    if (proc.ppid !== bwrapPid) continue;
    const ns = pidNamespaceOf(proc.pid);
    if (ns !== null && ns !== own) return proc.pid;
  }
  return null;
}

/** Live members of the PID namespace whose init (host PID) is given, init included. */
export function namespaceMembers(initPid: number): ProcInfo[] {
  const ns = pidNamespaceOf(initPid);
  if (ns === null) return [];
  return listProcesses().filter((proc) => pidNamespaceOf(proc.pid) === ns);
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM to every member except the init (bwrap's init has no handler and
 * would ignore it), newest first so that the main process, whose end takes
 * the namespace down, comes last; returns the members it was sent to.
 */
export function terminateNamespace(initPid: number): ProcInfo[] {
  const members = namespaceMembers(initPid)
    .filter((proc) => proc.pid !== initPid)
    .sort((a, b) => b.pid - a.pid);
  for (const proc of members) signal(proc.pid, 'SIGTERM');
  return members;
}

/**
 * SIGKILL to the namespace's init: the kernel then kills every process in
 * the namespace. Returns the members that were still alive, i.e. the ones
 * that had to be killed (for the stop report).
 */
export function killNamespace(initPid: number): ProcInfo[] {
  const members = namespaceMembers(initPid);
  if (members.length === 0) return [];
  signal(initPid, 'SIGKILL');
  return members.filter((proc) => proc.pid !== initPid);
}
