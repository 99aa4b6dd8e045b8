export type OptionKind =
  | 'boolean'
  | 'string'
  | 'text'
  | 'number'
  | 'integer'
  | 'port'
  | 'function'
  | 'object'
  | 'strings'
  | 'enum'
  | 'any';

export interface OptionRule {
  kind: OptionKind;
  /** The value used when the option is absent (a function is called, except for kind 'function'). */
  default?: unknown;
  /** How the default is shown in the README table, when it is computed. */
  defaultText?: string;
  /** One line for the README table. */
  doc?: string;
  required?: boolean;
  nullable?: boolean;
  min?: number;
  max?: number;
  /** Accept `Infinity` for a number or integer ("no limit"). */
  infinity?: boolean;
  /** For kind 'enum'. */
  values?: readonly unknown[];
  /** Replaces the generated "must be ..." text. */
  want?: string;
  /** Returns a "must be ..." text when the value is wrong, undefined when it is fine. */
  check?: (value: any, input: Record<string, unknown>) => string | undefined;
  /** Turns the accepted value into the stored one. */
  map?: (value: any, input: Record<string, unknown>) => unknown;
}

export interface OptionsTable {
  readonly pkg: string;
  readonly names: readonly string[];
  readonly rules: Readonly<Record<string, Readonly<OptionRule>>>;
  /** Validates and fills defaults; throws a coded TypeError naming the option. */
  parse(input: unknown, where?: string): Record<string, any>;
  invalid(name: string, value: unknown, want: string): TypeError & { code: string; option: string };
  unknown(name: string, where?: string): TypeError & { code: string; option: string; suggestion?: string };
  /** The README table of the options. */
  markdown(): string;
  readonly codes: { readonly unknownCode: string; readonly invalidCode: string };
}

export declare function defineOptions(config: {
  /** e.g. '@pactown/log-core', the prefix of every message. */
  pkg: string;
  /** e.g. 'PACTOWN_CORE'; codes are `${prefix}_UNKNOWN_OPTION` and `${prefix}_INVALID_OPTION`. */
  prefix: string;
  options: Record<string, OptionKind | OptionRule>;
}): OptionsTable;

export declare function rejectUnknownKeys(
  input: unknown,
  known: readonly string[],
  where: { pkg: string; prefix: string; where?: string },
): void;

export declare function optionError(pkg: string, code: string, message: string): TypeError & { code: string };
export declare function didYouMean(word: string, candidates: Iterable<string>): string | undefined;
export declare function editDistance(a: string, b: string): number;
export declare function showValue(value: unknown): string;
