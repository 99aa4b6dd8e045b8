/** One secret shape: a line as a service would print it, and the substrings that must not survive masking. */
export interface SecretShape {
  /** Stable id, e.g. `'env-password'`. */
  readonly id: string;
  /**
   * What kind of rule must catch it (`key-value`, `header`, `url`, `token`, `pem`, `flag`, `known-value`),
   * or `ansi`: one of those shapes with terminal escape sequences around or inside its key or value.
   */
  readonly kind: 'key-value' | 'header' | 'url' | 'token' | 'pem' | 'flag' | 'known-value' | 'ansi';
  /** The text (one line, or several for a PEM block). */
  readonly text: string;
  /** Substrings of `text` that are secret: none may appear in masked output. */
  readonly secrets: readonly string[];
}

/** An environment variable whose value is secret by its name; `line` prints the value with no secret syntax around it. */
export interface EnvSecret {
  readonly name: string;
  readonly value: string;
  readonly line: string;
}

/** 40+ secret shapes. */
export declare const SECRET_SHAPES: readonly SecretShape[];
/** The environment given to a service in corpus runs (secret-named variables only). */
export declare const ENV_SECRETS: readonly EnvSecret[];
/** Every secret substring of {@link SECRET_SHAPES} and {@link ENV_SECRETS}, for "not one appears anywhere" checks. */
export declare const ALL_SECRETS: readonly string[];
/** 200+ realistic lines without any secret that must pass unchanged. */
export declare const CLEAN_LINES: readonly string[];
/** The text a corpus service prints: every shape, then every env line, one per line. */
export declare function corpusText(): string;
