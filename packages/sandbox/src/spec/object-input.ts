import { guessRunCommand, inferRuntime } from './guess.js';
import { emptySpec, type ParsedService } from './markpact.js';
import type { ServiceFile, ServiceObjectInput } from './types.js';

const RUNTIMES = new Set(['node', 'python', 'unknown']);

/** Reads the plain-object form `{files, deps, run, runtime}`; problems are collected, never thrown. */
export function parseServiceObject(input: ServiceObjectInput): ParsedService {
  const problems: string[] = [];
  if (input === null || typeof input !== 'object') {
    return { spec: emptySpec(), problems: ['the service content is neither Markdown nor an object'] };
  }
  const files: ServiceFile[] = [];
  if (Array.isArray(input.files)) {
    input.files.forEach((f, i) => {
      if (f === null || typeof f !== 'object' || typeof f.path !== 'string' || typeof f.content !== 'string') {
        problems.push(`files[${i}] must be {path: string, content: string}`);
      } else files.push({ path: f.path, content: f.content });
    });
  } else if (input.files !== null && typeof input.files === 'object') {
    for (const [path, content] of Object.entries(input.files)) {
      if (typeof content !== 'string') problems.push(`files[${JSON.stringify(path)}] must be a string`);
      else files.push({ path, content });
    }
  } else problems.push('files must be an object {path: content} or an array of {path, content}');
  const deps: string[] = [];
  if (input.deps !== undefined) {
    if (!Array.isArray(input.deps) || input.deps.some((d) => typeof d !== 'string')) {
      problems.push('deps must be an array of strings');
    } else deps.push(...input.deps.map((d) => d.trim()).filter(Boolean));
  }
  let run: string | null = null;
  if (input.run !== undefined) {
    if (typeof input.run !== 'string' || input.run.trim() === '') problems.push('run must be a non-empty string');
    else run = input.run.trim();
  }
  if (input.runtime !== undefined && !RUNTIMES.has(input.runtime)) {
    problems.push(`runtime must be 'node' or 'python', got ${JSON.stringify(input.runtime)}`);
  }
  const guessed = run === null ? guessRunCommand(files) : null;
  const command = run ?? guessed;
  const runtime =
    input.runtime !== undefined && RUNTIMES.has(input.runtime) ? input.runtime : inferRuntime(command, files);
  return { spec: { files, deps, runtime, run: command, runGuessed: guessed !== null, tests: [] }, problems };
}
