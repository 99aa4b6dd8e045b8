/** The language a service runs in, which decides how its dependencies are installed. */
export type ServiceRuntime = 'node' | 'python' | 'unknown';

/** One file to write into the sandbox, relative to its root. */
export interface ServiceFile {
  path: string;
  content: string;
}

/** A service as the runner understands it, from Markdown or from a plain object. */
export interface ServiceSpec {
  /** Files in document order. */
  files: ServiceFile[];
  /** One requirement per entry, as written (`fastapi`, `express@^4.18.0`, `./localpkg`). */
  deps: string[];
  /** `node` installs `deps` with npm, `python` with pip into `.venv`. */
  runtime: ServiceRuntime;
  /** The start command; `null` when none was given and none could be guessed. */
  run: string | null;
  /** True when `run` was guessed from the file names (no `run` block). */
  runGuessed: boolean;
  /** Lines of `markpact:test` blocks (`GET /health EXPECT 200`), kept for callers. */
  tests: string[];
}

/** The plain-object form of a service, for callers without Markdown. */
export interface ServiceObjectInput {
  /** `{'main.py': '...'}` or `[{path, content}]`. */
  files: Record<string, string> | ServiceFile[];
  /** Requirements, one per entry. @default [] */
  deps?: string[];
  /** The start command. @default guessed from the file names */
  run?: string;
  /** @default inferred from the run command and the file names */
  runtime?: ServiceRuntime;
}
