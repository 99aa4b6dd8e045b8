import { parseError } from '../errors.js';
import { GoSyntaxError, readGoString } from '../go-quote.js';

export type TokenKind =
  | 'LBRACE'
  | 'RBRACE'
  | 'COMMA'
  | 'IDENT'
  | 'STRING'
  | 'EQ'
  | 'NEQ'
  | 'RE'
  | 'NRE'
  | 'PIPE_EXACT'
  | 'PIPE_MATCH'
  | 'PIPE_PATTERN'
  | 'NPATTERN'
  | 'PIPE'
  | 'OR'
  | 'OTHER'
  | 'EOF';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Decoded value of a STRING token. */
  value: string;
  /** 1-based column, as in Loki's parse errors. */
  col: number;
}

const OPERATORS: Array<[string, TokenKind]> = [
  ['|=', 'PIPE_EXACT'],
  ['|~', 'PIPE_MATCH'],
  ['|>', 'PIPE_PATTERN'],
  ['!>', 'NPATTERN'],
  ['!=', 'NEQ'],
  ['!~', 'NRE'],
  ['=~', 'RE'],
  ['=', 'EQ'],
  ['|', 'PIPE'],
  ['{', 'LBRACE'],
  ['}', 'RBRACE'],
  [',', 'COMMA'],
];

const IDENT = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const OTHER = /[^\s{},|="'`!~()]+|./uy;

/** Splits a LogQL query into tokens; throws Loki's `parse error` on a bad string literal. */
export function tokenize(query: string, options: { comments?: boolean } = {}): Token[] {
  const comments = options.comments ?? true;
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i += 1;
      continue;
    }
    if (ch === '#' && comments) {
      // LogQL comments run to the end of the line.
      const nl = query.indexOf('\n', i);
      i = nl < 0 ? query.length : nl + 1;
      continue;
    }
    const col = i + 1;
    if (ch === '"' || ch === '`') {
      try {
        const { value, end } = readGoString(query, i);
        tokens.push({ kind: 'STRING', text: query.slice(i, end), value, col });
        i = end;
      } catch (error) {
        if (error instanceof GoSyntaxError) throw parseError(error.message, error.offset + 1);
        throw error;
      }
      continue;
    }
    const op = OPERATORS.find(([text]) => query.startsWith(text, i));
    if (op) {
      tokens.push({ kind: op[1], text: op[0], value: op[0], col });
      i += op[0].length;
      continue;
    }
    IDENT.lastIndex = i;
    const ident = IDENT.exec(query);
    if (ident) {
      const text = ident[0];
      tokens.push({ kind: text === 'or' ? 'OR' : 'IDENT', text, value: text, col });
      i += text.length;
      continue;
    }
    OTHER.lastIndex = i;
    const other = OTHER.exec(query)![0];
    tokens.push({ kind: 'OTHER', text: other, value: other, col });
    i += other.length;
  }
  tokens.push({ kind: 'EOF', text: '', value: '', col: query.length + 1 });
  return tokens;
}
