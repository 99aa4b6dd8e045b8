import { isSafeNpmName, packageJsonDeps } from '../deps/node.js';
import { checkRelativePath } from '../workspace/paths.js';
import { parseMarkpact, type ParsedService } from './markpact.js';
import { parseServiceObject } from './object-input.js';
import type { ServiceObjectInput } from './types.js';

/**
 * Reads a service from Markdown or the plain-object form and checks it as a
 * whole: every problem (no run command, duplicate or unsafe paths, an empty
 * document) is listed, and file paths come back normalized.
 */
export function loadService(content: string | ServiceObjectInput): ParsedService {
  const parsed = typeof content === 'string' ? parseMarkpact(content) : parseServiceObject(content);
  const problems = [...parsed.problems];
  const { spec } = parsed;
  const seen = new Set<string>();
  const files = [];
  for (const file of spec.files) {
    const checked = checkRelativePath(file.path);
    if ('problem' in checked) {
      problems.push(checked.problem);
      continue;
    }
    if (seen.has(checked.path)) problems.push(`path ${JSON.stringify(checked.path)} is given more than once`);
    seen.add(checked.path);
    files.push({ path: checked.path, content: file.content });
  }
  for (const path of seen) {
    for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
      if (seen.has(path.slice(0, i)))
        problems.push(`path ${JSON.stringify(path.slice(0, i))} is both a file and a folder`);
    }
  }
  if (spec.run === null) {
    problems.push('no run command: add a markpact:run block (or a main.py / server.js to guess from)');
  }
  for (const dep of spec.deps) {
    if (/[\0\n\r]/.test(dep) || dep.startsWith('-'))
      problems.push(`dependency ${JSON.stringify(dep)} is not a requirement`);
  }
  if (spec.runtime === 'node') {
    // The runner installs these, or else the dependencies of the service's own package.json.
    const npmDeps = spec.deps.length > 0 ? spec.deps : packageJsonDeps(spec);
    for (const dep of npmDeps) {
      if (!isSafeNpmName(dep))
        problems.push(`dependency ${JSON.stringify(dep)} is not an npm package name (a name or @scope/name)`);
    }
  }
  return { spec: { ...spec, files }, problems: [...new Set(problems)] };
}
