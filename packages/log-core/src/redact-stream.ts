import { CODES, coreError } from './codes.js';
import { getRedactor, maskLineWith, type Redactor } from './redact.js';
import type { PemState } from './redact-line.js';

/** A stateful masker for one stream of lines (a child's stdout): what {@link createLineMasker} returns. */
export interface LineMasker {
  /** Masks one complete line (without its line break), keeping PEM block state for the next one. */
  line(line: string): string;
  /** Masks a chunk of a stream: returns the masked complete lines (each with its `\n`) and holds a last partial line. */
  write(chunk: string): string;
  /** Masks and returns the held partial line (no `\n` added), then starts afresh. */
  end(): string;
  /**
   * Whether masking could change a line of `block`: `false` promises every
   * line comes back unchanged (also `false` only when no PEM block is open).
   */
  mayNeedRedaction(block: string): boolean;
  /** Whether a PEM private key block is open (its END line not seen yet). */
  readonly inBlock: boolean;
}

/**
 * A masker for text that arrives in pieces: `redactor.redactText(whole)`
 * equals the masker's output over any chunking of `whole`, since a private
 * key block's state is carried across lines and chunks.
 */
export function createLineMasker(redactor: Redactor = getRedactor()): LineMasker {
  const state: PemState = { inBlock: false, lines: 0 };
  let held = '';
  const line = (text: string): string => maskLineWith(redactor, text, state);
  return {
    line,
    write(chunk) {
      if (typeof chunk !== 'string')
        throw coreError(
          CODES.INVALID_ARGUMENT,
          `[@pactown/log-core] LineMasker.write() takes a string, not ${typeof chunk}.`,
        );
      const last = chunk.lastIndexOf('\n');
      if (last === -1) {
        held += chunk;
        return '';
      }
      const text = held + chunk.slice(0, last);
      held = chunk.slice(last + 1);
      let out = '';
      for (const piece of text.split('\n')) out += `${line(piece)}\n`;
      return out;
    },
    end() {
      const rest = held;
      held = '';
      const out = rest === '' && !state.inBlock ? '' : line(rest);
      state.inBlock = false;
      state.lines = 0;
      return out;
    },
    mayNeedRedaction: (block) => state.inBlock || redactor.mayNeedRedaction(block),
    get inBlock() {
      return state.inBlock;
    },
  };
}

/**
 * The values of secret-named variables (`DB_PASSWORD`, `GITHUB_TOKEN`,
 * `MYSQL_PWD`, `AUTH`) in an environment map, for `knownValues` / `withKnownValues`: masked wherever they
 * appear, even without any secret syntax around them.
 */
export function collectSecretValues(
  env: Readonly<Record<string, string | undefined>>,
  redactor: Redactor = getRedactor(),
): string[] {
  if (env === null || typeof env !== 'object')
    throw coreError(
      CODES.INVALID_ARGUMENT,
      `[@pactown/log-core] collectSecretValues() takes an environment map, not ${String(env)}.`,
    );
  const out: string[] = [];
  for (const key of Object.keys(env)) {
    const value = env[key];
    if (typeof value === 'string' && value.length >= 4 && redactor.isSecretKey(key)) out.push(value);
  }
  return out;
}
