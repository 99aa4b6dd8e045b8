import { fencedBlocks } from './fences.js';
import { guessRunCommand, inferRuntime, runtimeOfDepsLang } from './guess.js';
import { parseInfoString } from './info-string.js';
import type { ServiceFile, ServiceRuntime, ServiceSpec } from './types.js';

/** A spec read from input, with every problem found on the way (empty when valid). */
export interface ParsedService {
  spec: ServiceSpec;
  problems: string[];
}

/**
 * Reads a markpact Markdown document: `file` blocks (`path=`), `deps` blocks
 * (one requirement per line, `#` comments ignored) and one `run` block. Never
 * throws: problems are collected for `validateService` to report together.
 */
export function parseMarkpact(markdown: string): ParsedService {
  const problems: string[] = [];
  const files: ServiceFile[] = [];
  const deps: string[] = [];
  const tests: string[] = [];
  const runs: string[] = [];
  let depsRuntime: ServiceRuntime | null = null;
  let blocks = 0;
  if (typeof markdown !== 'string') {
    return { spec: emptySpec(), problems: ['the service content is not a string'] };
  }
  for (const block of fencedBlocks(markdown)) {
    const info = parseInfoString(block.info);
    if (info === null) continue;
    blocks += 1;
    const where = `line ${block.line}`;
    if (!block.closed) problems.push(`markpact:${info.kind} block at ${where} is never closed`);
    switch (info.kind) {
      case 'file': {
        const path = info.meta.path;
        if (path === undefined || path === '') problems.push(`markpact:file block at ${where} has no path=`);
        else files.push({ path, content: block.body });
        break;
      }
      case 'deps': {
        const runtime = runtimeOfDepsLang(info.lang);
        if (depsRuntime !== null && depsRuntime !== runtime) {
          problems.push(`markpact:deps block at ${where} mixes ${runtime} and ${depsRuntime} dependencies`);
        }
        depsRuntime = runtime;
        deps.push(...depLines(block.body));
        break;
      }
      case 'run': {
        const command = block.body.trim();
        if (command === '') problems.push(`markpact:run block at ${where} is empty`);
        else runs.push(command);
        break;
      }
      case 'test':
        tests.push(
          ...block.body
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean),
        );
        break;
      default:
        break;
    }
  }
  if (blocks === 0) problems.push('the document has no markpact blocks (```python markpact:file path=main.py ...)');
  if (runs.length > 1) problems.push(`the document has ${runs.length} markpact:run blocks; keep one`);
  const given = runs[0] ?? null;
  const run = given ?? guessRunCommand(files);
  const runtime = depsRuntime ?? inferRuntime(run, files);
  return { spec: { files, deps, runtime, run, runGuessed: given === null && run !== null, tests }, problems };
}

/** Requirement lines: trimmed, blank lines and `#` comments dropped. */
export function depLines(body: string): string[] {
  return body
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
}

export function emptySpec(): ServiceSpec {
  return { files: [], deps: [], runtime: 'unknown', run: null, runGuessed: false, tests: [] };
}
