import { LokiHttpError, parseError } from '../errors.js';
import { type Token, type TokenKind, tokenize } from './lexer.js';
import { type Re2, Re2Error, compileRe2 } from './re2.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';
export type FilterOp = '|=' | '!=' | '|~' | '!~';

/** One label matcher of a stream selector. */
export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  /** True when a label with this value (absent labels read as '') is selected. */
  matches(value: string): boolean;
}

/** One line filter stage; `values` are alternatives joined with `or`. */
export interface LineFilter {
  op: FilterOp;
  values: string[];
  test(line: string): boolean;
}

/** A parsed LogQL log query: a selector and its line filters. */
export interface LogQuery {
  matchers: Matcher[];
  filters: LineFilter[];
}

const SHOWN: Partial<Record<TokenKind, string>> = {
  IDENT: 'IDENTIFIER',
  STRING: 'STRING',
  EOF: '$end',
};

const METRIC_FUNCTIONS =
  /^(count_over_time|rate|bytes_over_time|bytes_rate|absent_over_time|sum|avg|min|max|count|topk|bottomk|stddev|stdvar|sort|sort_desc|vector|label_replace|quantile_over_time|first_over_time|last_over_time)$/;

function unexpected(tok: Token, expecting: string): LokiHttpError {
  const shown = SHOWN[tok.kind] ?? tok.text;
  return parseError(`syntax error: unexpected ${shown}, expecting ${expecting}`, tok.col);
}

function regex(pattern: string, anchored: boolean, col: number): Re2 {
  try {
    return compileRe2(pattern, anchored);
  } catch (error) {
    if (error instanceof Re2Error) throw parseError(error.message, col);
    throw error;
  }
}

function matcher(name: string, op: MatchOp, value: string, col: number): Matcher {
  if (op === '=') return { name, op, value, matches: (v) => v === value };
  if (op === '!=') return { name, op, value, matches: (v) => v !== value };
  const re = regex(value, true, col);
  return op === '=~' ? { name, op, value, matches: (v) => re.test(v) } : { name, op, value, matches: (v) => !re.test(v) };
}

function lineFilter(op: FilterOp, values: string[], col: number): LineFilter {
  if (op === '|=' || op === '!=') {
    const any = values.length === 1 ? (l: string) => l.includes(values[0]!) : (l: string) => values.some((v) => l.includes(v));
    return { op, values, test: op === '|=' ? any : (l) => !any(l) };
  }
  const res = values.map((v) => regex(v, false, col));
  const any = (l: string) => res.some((re) => re.test(l));
  return { op, values, test: op === '|~' ? any : (l) => !any(l) };
}

class Parser {
  #tokens: Token[];
  #at = 0;
  constructor(query: string) {
    this.#tokens = tokenize(query);
  }
  peek(): Token {
    return this.#tokens[this.#at]!;
  }
  next(): Token {
    return this.#tokens[this.#at++]!;
  }
  expect(kind: TokenKind, expecting: string): Token {
    const tok = this.next();
    if (tok.kind !== kind) throw unexpected(tok, expecting);
    return tok;
  }
}

/** Parses the matchers of `{...}`; `equalityOnly` is the push-label form. */
export function parseSelector(p: Parser, equalityOnly: boolean): Matcher[] {
  const first = p.peek();
  if (first.kind === 'IDENT' && METRIC_FUNCTIONS.test(first.text)) {
    throw new LokiHttpError(400, `parse error at line 1, col ${first.col}: metric queries are not supported by this receiver (log queries only)`);
  }
  p.expect('LBRACE', '{');
  const matchers: Matcher[] = [];
  if (p.peek().kind === 'RBRACE') {
    p.next();
    return matchers;
  }
  for (;;) {
    const name = p.expect('IDENT', 'IDENTIFIER');
    const opTok = p.next();
    const ops: TokenKind[] = equalityOnly ? ['EQ'] : ['EQ', 'NEQ', 'RE', 'NRE'];
    if (!ops.includes(opTok.kind)) throw unexpected(opTok, equalityOnly ? '=' : '!= or !~ or =~ or =');
    const value = p.expect('STRING', 'STRING');
    matchers.push(matcher(name.text, opTok.text as MatchOp, value.value, value.col));
    const sep = p.next();
    if (sep.kind === 'RBRACE') return matchers;
    if (sep.kind !== 'COMMA') throw unexpected(sep, ', or }');
  }
}

const EMPTY_MATCHER_HINT =
  'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will';

const FILTER_OPS: Partial<Record<TokenKind, FilterOp>> = { PIPE_EXACT: '|=', NEQ: '!=', PIPE_MATCH: '|~', NRE: '!~' };

/** Parses a LogQL log query (selector and line filters) or throws Loki's 400 `parse error`. */
export function parseLogQuery(query: string): LogQuery {
  const p = new Parser(query);
  const matchers = parseSelector(p, false);
  if (!matchers.some((m) => (m.op === '=' || m.op === '=~') && !m.matches(''))) {
    throw parseError(EMPTY_MATCHER_HINT);
  }
  const filters: LineFilter[] = [];
  for (;;) {
    const tok = p.next();
    if (tok.kind === 'EOF') return { matchers, filters };
    const op = FILTER_OPS[tok.kind];
    if (op) {
      const next = p.peek();
      if (next.kind === 'IDENT' && next.text === 'ip') {
        throw new LokiHttpError(400, `parse error at line 1, col ${next.col}: ip() line filters are not supported by this receiver`);
      }
      const values = [p.expect('STRING', 'STRING')];
      while (p.peek().kind === 'OR') {
        p.next();
        values.push(p.expect('STRING', 'STRING'));
      }
      filters.push(lineFilter(op, values.map((v) => v.value), values[0]!.col));
      continue;
    }
    if (tok.kind === 'PIPE') {
      const stage = p.peek();
      throw new LokiHttpError(
        400,
        `parse error at line 1, col ${stage.col}: pipeline stage '| ${stage.text}' is not supported by this receiver (line filters only)`,
      );
    }
    throw unexpected(tok, '|= or != or |~ or !~ or |');
  }
}

/** Parses the label text of a pushed stream, `{a="b", c="d"}`, to name/value pairs (in order). */
export function parsePushLabels(text: string): Array<[string, string]> {
  const p = new Parser(text);
  const matchers = parseSelector(p, true);
  const end = p.next();
  if (end.kind !== 'EOF') throw unexpected(end, '$end');
  return matchers.map((m) => [m.name, m.value]);
}
