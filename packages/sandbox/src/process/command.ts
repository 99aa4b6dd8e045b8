/**
 * Decides how a command line runs: split into argv when it is plain words,
 * or through `/bin/sh -c` when it uses shell syntax, with `exec` put in front
 * of the final command so the shell is replaced and the PID is the service's.
 */
import { CODES, sandboxError } from '../errors.js';

/** How a command will be spawned. */
export interface CommandPlan {
  file: string;
  args: string[];
  /** The command line as the user wrote it (before redaction). */
  display: string;
  /** A shell is used. */
  shell: boolean;
  /** The shell stays the service's parent (pipelines, background jobs), so `128+N` means signal N. */
  shellStays: boolean;
}

// Outside quotes these need a shell; inside double quotes only `$` and backticks do.
const SPECIAL = new Set('$`|&;<>(){}*?[]~#\n');
const ASSIGNMENT = /^\s*[A-Za-z_][A-Za-z0-9_]*=/;

/** Whether a command line uses shell syntax (expansions, pipes, lists, redirections, globs, `VAR=x cmd`). */
export function needsShell(command: string): boolean {
  if (ASSIGNMENT.test(command)) return true;
  let quote: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
    } else if (quote === '"') {
      if (ch === '\\') i++;
      else if (ch === '"') quote = null;
      else if (ch === '$' || ch === '`') return true;
    } else if (ch === '\\') i++;
    else if (ch === "'" || ch === '"') quote = ch;
    else if (SPECIAL.has(ch)) return true;
  }
  return false;
}

/** Splits plain words, honouring single quotes, double quotes and backslashes. */
export function splitWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && i + 1 < command.length && '"\\'.includes(command[i + 1]!)) word += command[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== null)
    throw sandboxError(TypeError, CODES.INVALID_COMMAND, `command has an unclosed ${quote} quote: ${command}`);
  if (inWord) words.push(word);
  return words;
}

interface Segment {
  start: number;
  separator: string; // the operator before this segment ('' for the first)
}

/** Top-level list segments of a shell command (outside quotes, `$(...)`, backticks, braces). */
function segments(script: string): Segment[] {
  const out: Segment[] = [{ start: 0, separator: '' }];
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (quote !== null) {
      if (ch === '\\' && quote !== "'") i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '\\') i++;
    else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(' || ch === '{') depth++;
    else if (ch === ')' || ch === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      const two = script.slice(i, i + 2);
      if (two === '&&' || two === '||') {
        out.push({ start: i + 2, separator: two });
        i++;
      } else if (ch === ';' || ch === '\n' || ch === '|' || ch === '&') {
        if (ch === '&' && (script[i - 1] === '>' || script[i + 1] === '>' || script[i - 1] === '<')) continue;
        out.push({ start: i + 1, separator: ch });
      }
    }
  }
  return out.filter((s, idx) => idx === 0 || script.slice(s.start).trim().length > 0 || s.separator === '&');
}

// Compound commands and builtins cannot follow `exec`; then the shell stays.
const NO_EXEC =
  /^(if|then|else|elif|fi|for|while|until|case|do|done|exec|exit|return|cd|export|unset|set|shift|trap|wait|eval|read|source|\.|:|true|false|ulimit|umask|alias|break|continue|\{|\(|!)(\s|;|$)/;

/** Puts `exec` in front of a script's final command when that keeps the meaning; returns `null` otherwise. */
export function withExec(script: string): string | null {
  const trimmed = script.replace(/[\s;]+$/, '');
  const segs = segments(trimmed);
  const last = segs[segs.length - 1]!;
  if (last.separator === '|' || last.separator === '&') return null;
  if (trimmed.trimEnd().endsWith('&')) return null;
  const rest = trimmed.slice(last.start);
  const lead = rest.length - rest.trimStart().length;
  let body = rest.slice(lead);
  if (NO_EXEC.test(body)) return body.startsWith('exec ') ? trimmed : null;
  // Leading NAME=value words stay before exec, so they are exported to the command.
  let assignments = '';
  for (;;) {
    const m = /^[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"]+)*\s+/.exec(body);
    if (m === null) break;
    assignments += m[0];
    body = body.slice(m[0].length);
  }
  if (body.length === 0) return null;
  return `${trimmed.slice(0, last.start + lead)}${assignments}exec ${body}`;
}

/** Plans how to run a command line, or an explicit file with arguments (never a shell). */
export function planCommand(command: string, args?: readonly string[], shell: boolean | 'auto' = 'auto'): CommandPlan {
  if (args !== undefined) {
    return { file: command, args: [...args], display: [command, ...args].join(' '), shell: false, shellStays: false };
  }
  const display = command.trim();
  if (shell === false || (shell === 'auto' && !needsShell(display))) {
    const words = splitWords(display);
    if (words.length === 0)
      throw sandboxError(TypeError, CODES.INVALID_COMMAND, `command must not be empty, got ${JSON.stringify(command)}`);
    return { file: words[0]!, args: words.slice(1), display, shell: false, shellStays: false };
  }
  const execd = withExec(display);
  return { file: '/bin/sh', args: ['-c', execd ?? display], display, shell: true, shellStays: execd === null };
}
