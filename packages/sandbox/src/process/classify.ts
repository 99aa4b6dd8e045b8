/**
 * The failure classifier. Reads the exit facts and the output tails and
 * returns one category with suggestions; a failed run never gets `none`.
 *
 * Order (first match wins):
 * 1. readiness timed out -> `startup_timeout`; stopped by us -> `none`
 * 2. the spawn itself failed: ENOENT -> `dependency` (command not found), EACCES -> `permission`
 * 3. output text: out of memory, port conflict, syntax error, missing module
 *    or installer failure (`dependency`), missing environment variable,
 *    permission error
 * 4. exit 127 (shell: command not found) -> `dependency`, 126 -> `permission`
 * 5. SIGKILL we did not send that the cgroup counts as an OOM kill -> `out_of_memory`
 *
 * Before the output text: the service's own cgroup counted an OOM kill -> `out_of_memory`, or forks
 * refused at `pids.max` -> `resource_limit`; SIGXCPU / SIGXFSZ (rlimits) -> `resource_limit`. After
 * the text's out-of-memory check: forks refused (EAGAIN), too many open files, file too large ->
 * `resource_limit`. Each suggestion names the limit and the option that raises it.
 * 6. a crash signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP) -> `process_crash`;
 *    any other signal we did not send -> `killed`
 * 7. anything else (including exit 0 of a service that should keep running) -> `process_crash`
 */
import * as s from './suggestions.js';
import type { ExitDescription, FailureCategory, Suggestion } from './types.js';

/** What the classifier looks at. */
export interface FailureFacts {
  exit: ExitDescription;
  stderr?: string;
  stdout?: string;
  /** We sent the signal that ended it (a stop). */
  stoppedByUs?: boolean;
  /** Readiness timed out (the process was then stopped by us). */
  timedOut?: boolean;
  timeoutMs?: number | null;
  /** The spawn failed before the program ran (`ENOENT`, `EACCES`). */
  spawnErrorCode?: string | null;
  /** The port the service was given, for specific suggestions. */
  port?: number | null;
  /** The program that was run (first word), for "command not found". */
  program?: string | null;
  /** The cgroup counted an OOM kill while the process ran. */
  oomKilled?: boolean;
  /** The service's own cgroup counted an OOM kill (any process of the service). */
  cgroupOomKilled?: boolean;
  /** The service's cgroup refused a fork at its `pids.max`. */
  pidsLimitHit?: boolean;
  /** The limits the service ran with (`null`: none were set), named in suggestions. */
  limits?: Readonly<Record<string, number | null>> | null;
}

export interface Classification {
  category: FailureCategory;
  suggestions: Suggestion[];
}

const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGSYS', 'SIGTRAP']);

const OOM = /MemoryError|JavaScript heap out of memory|Cannot allocate memory|std::bad_alloc|out of memory|ENOMEM/;
const PORT_CONFLICT = /EADDRINUSE|[Aa]ddress already in use|port is already (?:allocated|in use)/;
const PY_SYNTAX = /^\s*(SyntaxError|IndentationError|TabError): (.*)$/m;
const JS_SYNTAX = /^SyntaxError: (.*)$/m;
const PY_MODULE = /(?:ModuleNotFoundError|ImportError): No module named '([^']+)'|No module named '?([\w.]+)'?/;
const NODE_MODULE = /Cannot find (?:module|package) '([^']+)'/;
const INSTALLER =
  /No matching distribution found for (\S+)|Could not find a version that satisfies the requirement (\S+)|npm (?:ERR!|error) (?:code )?E404|npm (?:ERR!|error) 404 .*?'([^'@]+)@|ERR_PNPM_\w+|pip(?:3)?: command not found/;
const ENV_MISSING: RegExp[] = [
  /KeyError: '([A-Z][A-Z0-9_]+)'/,
  /[Ee]nvironment variable[s]? (?:"|'|`)?([A-Z][A-Z0-9_]+)(?:"|'|`)? (?:is )?(?:not set|missing|required|undefined)/,
  /[Mm]issing (?:required )?environment variables?:? (?:"|'|`)?([A-Z][A-Z0-9_]+)/,
  /\b([A-Z][A-Z0-9_]{2,}) (?:is not set|must be set|is required)\b/,
];
const FORK_REFUSED =
  /[Cc]an(?:no|')t fork|fork: (?:retry: )?Resource temporarily unavailable|BlockingIOError: \[Errno 11\]|spawn EAGAIN|EAGAIN[^\n]*(?:fork|spawn|thread)|pthread_create[^\n]*(?:Resource temporarily unavailable|EAGAIN)/;
const TOO_MANY_FILES = /EMFILE|[Tt]oo many open files/;
const FILE_TOO_LARGE = /EFBIG|File too large/;
const PERMISSION = /PermissionError|EACCES|EPERM|[Pp]ermission denied|Operation not permitted/;

function lastErrorLine(text: string): string | null {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (/^[\w.]*(Error|Exception|Exit)\b.*:/.test(line) || /^(error|fatal|panic)\b/i.test(line)) return line;
  }
  return null;
}

function portFrom(text: string, fallback: number | null): number | null {
  const m =
    /(?:EADDRINUSE|in use)[^\n]*?:(\d{2,5})\b|\(['"][^'"]*['"], (\d{2,5})\)|[:\s](\d{2,5})\)?: address already in use/.exec(
      text,
    );
  const found = m === null ? null : Number(m[1] ?? m[2] ?? m[3]);
  return found ?? fallback;
}

function syntaxFacts(text: string, match: RegExpExecArray, python: boolean): Classification {
  let file: string | null = null;
  let line: number | null = null;
  const before = text.slice(0, match.index);
  const frames = [...before.matchAll(/File "([^"]+)", line (\d+)/g)];
  const last = frames[frames.length - 1];
  if (last) [file, line] = [last[1]!, Number(last[2])];
  else {
    const m = /^(?:file:\/\/)?(\/?[^\s:]+\.[cm]?[jt]sx?):(\d+)$/m.exec(before);
    if (m) [file, line] = [m[1]!, Number(m[2])];
  }
  const name = file === null ? null : file.split('/').pop()!;
  const detail = (python ? match[2] : match[1]) ?? null;
  return { category: 'syntax', suggestions: s.fixSyntax(name, line, detail) };
}

function limitOf(facts: FailureFacts, name: string): number | null {
  return facts.limits?.[name] ?? null;
}

function fromText(text: string, facts: FailureFacts): Classification | null {
  const port = facts.port ?? null;
  if (OOM.test(text)) {
    const at = limitOf(facts, 'memoryBytes');
    return {
      category: 'out_of_memory',
      suggestions: at === null ? s.outOfMemory(false) : s.outOfMemoryAt('memoryBytes', at),
    };
  }
  if (FORK_REFUSED.test(text))
    return {
      category: 'resource_limit',
      suggestions: s.resourceLimit('processes', limitOf(facts, 'processes'), 'A new process or thread was refused'),
    };
  if (TOO_MANY_FILES.test(text))
    return {
      category: 'resource_limit',
      suggestions: s.resourceLimit('openFiles', limitOf(facts, 'openFiles'), 'Too many open files'),
    };
  if (FILE_TOO_LARGE.test(text))
    return {
      category: 'resource_limit',
      suggestions: s.resourceLimit('fileSizeBytes', limitOf(facts, 'fileSizeBytes'), 'A file grew too large'),
    };
  if (PORT_CONFLICT.test(text)) return { category: 'port_conflict', suggestions: s.portConflict(portFrom(text, port)) };
  const py = PY_SYNTAX.exec(text);
  if (py !== null) return syntaxFacts(text, py, true);
  const js = JS_SYNTAX.exec(text);
  if (js !== null) return syntaxFacts(text, js, false);
  const pyModule = PY_MODULE.exec(text);
  if (pyModule !== null) {
    return { category: 'dependency', suggestions: s.addDependency((pyModule[1] ?? pyModule[2])!, 'python') };
  }
  const nodeModule = NODE_MODULE.exec(text);
  if (nodeModule !== null) {
    const spec = nodeModule[1]!;
    const relative = spec.startsWith('.') || spec.startsWith('/');
    return { category: 'dependency', suggestions: relative ? s.missingFile(spec) : s.addDependency(spec, 'node') };
  }
  const installer = INSTALLER.exec(text);
  if (installer !== null) {
    const pkg = installer[1] ?? installer[2] ?? installer[3];
    return {
      category: 'dependency',
      suggestions: [
        {
          action: 'fix_dependency',
          description: pkg
            ? `The installer could not install '${pkg}': check its name and version`
            : 'The dependency installation failed: check the names and versions',
          autoFixable: false,
        },
      ],
    };
  }
  for (const re of ENV_MISSING) {
    const m = re.exec(text);
    if (m !== null) return { category: 'environment', suggestions: s.missingEnv(m[1] ?? null) };
  }
  if (PERMISSION.test(text)) {
    const path = /(?:Permission denied|EACCES|EPERM)[^'"\n]*['"]([^'"]+)['"]/.exec(text)?.[1] ?? null;
    const bind = /listen (?:EACCES|EPERM)[^\n]*?:(\d+)/.exec(text);
    return { category: 'permission', suggestions: s.permission(bind ? Number(bind[1]) : port, bind ? null : path) };
  }
  return null;
}

/** Classifies one process end. */
export function classifyFailure(facts: FailureFacts): Classification {
  const { exit } = facts;
  const port = facts.port ?? null;
  if (facts.timedOut)
    return { category: 'startup_timeout', suggestions: s.startupTimeout(facts.timeoutMs ?? null, port) };
  if (facts.stoppedByUs) return { category: 'none', suggestions: [] };
  if (facts.spawnErrorCode === 'ENOENT')
    return { category: 'dependency', suggestions: s.commandNotFound(facts.program ?? null) };
  if (facts.spawnErrorCode === 'EACCES')
    return { category: 'permission', suggestions: s.permission(null, facts.program ?? null) };

  // What the service's own cgroup counted is a fact; the output only hints.
  if (facts.cgroupOomKilled && (exit.signal !== null || exit.code !== 0))
    return {
      category: 'out_of_memory',
      suggestions: s.outOfMemoryAt('totalMemoryBytes', limitOf(facts, 'totalMemoryBytes')),
    };
  if (facts.pidsLimitHit)
    return {
      category: 'resource_limit',
      suggestions: s.resourceLimit(
        'processes',
        limitOf(facts, 'processes'),
        'A fork was refused (a fork bomb, or more processes than allowed)',
      ),
    };
  if (exit.signal === 'SIGXCPU')
    return {
      category: 'resource_limit',
      suggestions: s.resourceLimit('cpuSeconds', limitOf(facts, 'cpuSeconds'), 'The process was ended by SIGXCPU'),
    };
  if (exit.signal === 'SIGXFSZ')
    return {
      category: 'resource_limit',
      suggestions: s.resourceLimit(
        'fileSizeBytes',
        limitOf(facts, 'fileSizeBytes'),
        'The process was ended by SIGXFSZ',
      ),
    };
  const text = `${facts.stderr ?? ''}\n${facts.stdout ?? ''}`;
  const found = fromText(text, facts);
  if (found !== null) return found;

  if (exit.signal === null && exit.exitCode === 127) {
    const m = /(?:^|\n)(?:\S+: )?(?:\d+: )?(\S+): (?:command )?not found/.exec(text);
    return { category: 'dependency', suggestions: s.commandNotFound(m?.[1] ?? facts.program ?? null) };
  }
  if (exit.signal === null && exit.exitCode === 126)
    return { category: 'permission', suggestions: s.permission(null, facts.program ?? null) };
  if (exit.signal !== null) {
    if (exit.signal === 'SIGKILL' && facts.oomKilled)
      return { category: 'out_of_memory', suggestions: s.outOfMemory(true) };
    if (CRASH_SIGNALS.has(exit.signal)) {
      return {
        category: 'process_crash',
        suggestions: s.checkCode(
          lastErrorLine(text),
          `The process crashed (${exit.description}, ${exit.signal}): check native extensions and the code that ran last`,
        ),
      };
    }
    return { category: 'killed', suggestions: s.killedBy(exit.signal, exit.forced) };
  }
  if (exit.code === null) return { category: 'unknown', suggestions: s.checkCode(lastErrorLine(text)) };
  if (exit.code === 0) {
    return {
      category: 'process_crash',
      suggestions: s.checkCode(
        null,
        'The process exited with code 0: a service must keep running and listen on its port',
      ),
    };
  }
  return { category: 'process_crash', suggestions: s.checkCode(lastErrorLine(text)) };
}
