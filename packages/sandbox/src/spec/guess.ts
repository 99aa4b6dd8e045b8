import type { ServiceFile, ServiceRuntime } from './types.js';

const NODE_LANGS = new Set([
  'javascript',
  'js',
  'node',
  'nodejs',
  'ts',
  'typescript',
  'npm',
  'mjs',
  'cjs',
  'jsx',
  'tsx',
]);
const NODE_COMMANDS = new Set(['node', 'npm', 'npx', 'tsx', 'pnpm', 'yarn', 'bun']);
const PYTHON_COMMANDS = new Set(['python', 'python3', 'uvicorn', 'gunicorn', 'flask', 'hypercorn', 'pip', 'streamlit']);

/** The runtime a `deps` block's language tag names: a Node tag means npm, anything else pip. */
export function runtimeOfDepsLang(lang: string | null): ServiceRuntime {
  return lang !== null && NODE_LANGS.has(lang) ? 'node' : 'python';
}

/** Guesses the runtime from the run command's program, then from the file names. */
export function inferRuntime(run: string | null, files: readonly ServiceFile[]): ServiceRuntime {
  const program = run === null ? undefined : programOf(run);
  if (program !== undefined && NODE_COMMANDS.has(program)) return 'node';
  if (program !== undefined && PYTHON_COMMANDS.has(program)) return 'python';
  const names = files.map((f) => f.path);
  if (names.some((n) => n === 'package.json' || /\.(m|c)?[jt]s$/.test(n))) return 'node';
  if (names.some((n) => n.endsWith('.py') || n === 'requirements.txt')) return 'python';
  return 'unknown';
}

/** The first word of a command, past `exec` and `VAR=value` prefixes, without its folder. */
function programOf(run: string): string | undefined {
  const words = run.trim().split(/\s+/);
  const word = words.find((w) => w !== 'exec' && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  return word
    ?.split('/')
    .pop()
    ?.replace(/^python3\.\d+$/, 'python3');
}

const PYTHON_ENTRIES = ['main.py', 'app.py', 'server.py'];
const NODE_ENTRIES = ['server.js', 'index.js', 'app.js', 'main.js', 'server.mjs', 'index.mjs', 'app.mjs', 'main.mjs'];

/**
 * The original's run-command guess, for documents without a `run` block:
 * `main.py` -> `python main.py`, `server.js` -> `node server.js`, a
 * `package.json` with a start script -> `npm start`.
 */
export function guessRunCommand(files: readonly ServiceFile[]): string | null {
  const names = new Set(files.map((f) => f.path));
  for (const name of PYTHON_ENTRIES) if (names.has(name)) return `python ${name}`;
  const pkg = files.find((f) => f.path === 'package.json');
  if (pkg !== undefined && hasStartScript(pkg.content)) return 'npm start';
  for (const name of NODE_ENTRIES) if (names.has(name)) return `node ${name}`;
  return null;
}

function hasStartScript(json: string): boolean {
  try {
    const parsed = JSON.parse(json) as { scripts?: Record<string, unknown> };
    return typeof parsed?.scripts?.start === 'string';
  } catch {
    return false;
  }
}
