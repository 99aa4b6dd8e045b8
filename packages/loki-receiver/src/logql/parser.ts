import { LokiHttpError, parseError } from '../errors.js';
import { goQuote } from '../go-quote.js';
import { type Token, type TokenKind, tokenize } from './lexer.js';
import {
  type CompareOp,
  type LabelPredicate,
  type Stage,
  byteCount,
  durationSeconds,
  type Extraction,
  type LabelFormat,
  type NamedMatcher,
  jsonExtractionStage,
  jsonPath,
  labelValue,
  logfmtExtractionStage,
  numberPredicate,
  parserStage,
  patternStage,
  regexpStage,
  stringPredicate,
  unpackStage,
} from './pipeline.js';
import { IpPatternError, compileIpPattern, lineHasIp } from './ip.js';
import { PatternError, compileLinePattern } from './pattern.js';
import { type Re2, Re2Error, compileCaptures, compileRe2 } from './re2.js';
import { TemplateError, TemplateUnsupported, parseTemplate } from './template.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';
export type FilterOp = '|=' | '!=' | '|~' | '!~' | '|>' | '!>';

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

/** A parsed LogQL log query: a selector and its pipeline. */
export interface LogQuery {
  matchers: Matcher[];
  /** Every stage in order (line filters included). */
  stages: Stage[];
  /** True when a stage needs more than the line (parsers, label filters, drop, keep). */
  needsLabels: boolean;
  /** `| unwrap` of a metric query's range: the label, its conversion and the label filters after it. */
  unwrap?: Unwrap;
}

/** How `| unwrap` reads a sample from a label (docs: LogQL metric queries, "Unwrapped range aggregations"). */
export interface Unwrap {
  label: string;
  conversion: 'float' | 'bytes' | 'duration';
  /** Label filters written after the unwrap (applied once the value is read). */
  post: Stage[];
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
  return op === '=~'
    ? { name, op, value, matches: (v) => re.test(v) }
    : { name, op, value, matches: (v) => !re.test(v) };
}

function lineFilter(op: FilterOp, values: string[], col: number): LineFilter {
  if (op === '|=' || op === '!=') {
    const any =
      values.length === 1 ? (l: string) => l.includes(values[0]!) : (l: string) => values.some((v) => l.includes(v));
    return { op, values, test: op === '|=' ? any : (l) => !any(l) };
  }
  if (op === '|>' || op === '!>') {
    let tests: Array<(line: string) => boolean>;
    try {
      tests = values.map((v) => compileLinePattern(v));
    } catch (error) {
      if (error instanceof PatternError) throw parseError(error.message, col);
      throw error;
    }
    const any = (l: string) => tests.some((t) => t(l));
    return { op, values, test: op === '|>' ? any : (l) => !any(l) };
  }
  const res = values.map((v) => regex(v, false, col));
  const any = (l: string) => res.some((re) => re.test(l));
  return { op, values, test: op === '|~' ? any : (l) => !any(l) };
}

class Parser {
  #tokens: Token[];
  #at = 0;
  constructor(query: string, options: { comments?: boolean } = {}) {
    this.#tokens = tokenize(query, options);
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
    throw new LokiHttpError(
      400,
      `parse error at line 1, col ${first.col}: a metric query is not a log query (use query_range or queryMetric())`,
    );
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

const FILTER_OPS: Partial<Record<TokenKind, FilterOp>> = {
  PIPE_EXACT: '|=',
  NEQ: '!=',
  PIPE_MATCH: '|~',
  NRE: '!~',
  PIPE_PATTERN: '|>',
  NPATTERN: '!>',
};

/** Parses a LogQL log query (selector and pipeline) or throws Loki's 400 `parse error`; `unwrap` is allowed inside a metric query's range. */
export function parseLogQuery(query: string, options: { unwrap?: boolean } = {}): LogQuery {
  const p = new Parser(query);
  const matchers = parseSelector(p, false);
  if (!matchers.some((m) => (m.op === '=' || m.op === '=~') && !m.matches(''))) {
    throw parseError(EMPTY_MATCHER_HINT);
  }
  const stages: Stage[] = [];
  let needsLabels = false;
  let unwrap: Unwrap | undefined;
  for (;;) {
    const tok = p.next();
    if (tok.kind === 'EOF') return { matchers, stages, needsLabels, ...(unwrap ? { unwrap } : {}) };
    if (unwrap) {
      // After unwrap only label filters may follow.
      if (tok.kind !== 'PIPE') throw unexpected(tok, '|');
      const next = p.peek();
      if (
        next.kind !== 'IDENT' ||
        UNSUPPORTED_STAGES.has(next.text) ||
        /^(json|logfmt|regexp|pattern|unpack|line_format|label_format|drop|keep|decolorize|unwrap)$/.test(next.text)
      )
        throw unexpected(next, 'a label filter');
      unwrap.post.push({ kind: 'labels', test: labelOr(p) });
      continue;
    }
    if (tok.kind === 'PIPE' && p.peek().kind === 'IDENT' && p.peek().text === 'unwrap') {
      const word = p.next();
      if (!options.unwrap) throw unexpected(word, 'a parser, a label filter, drop, keep or decolorize');
      unwrap = unwrapClause(p);
      needsLabels = true;
      continue;
    }
    const op = FILTER_OPS[tok.kind];
    if (op) {
      const next = p.peek();
      if (next.kind === 'IDENT' && next.text === 'ip') {
        if (op !== '|=' && op !== '!=') throw parseError('ip: invalid operation');
        const test = ipPattern(p);
        const keep = (l: string) => lineHasIp(l, test);
        stages.push({ kind: 'line', test: op === '|=' ? keep : (l) => !keep(l) });
        continue;
      }
      const values = [p.expect('STRING', 'STRING')];
      while (p.peek().kind === 'OR') {
        p.next();
        values.push(p.expect('STRING', 'STRING'));
      }
      const filter = lineFilter(
        op,
        values.map((v) => v.value),
        values[0]!.col,
      );
      stages.push({ kind: 'line', test: filter.test });
      continue;
    }
    if (tok.kind === 'PIPE') {
      const stage = pipelineStage(p);
      if (stage.kind !== 'line' && stage.kind !== 'decolorize') needsLabels = true;
      stages.push(stage);
      continue;
    }
    throw unexpected(tok, '|= or != or |~ or !~ or |');
  }
}

function notSupported(tok: Token, what: string): LokiHttpError {
  return new LokiHttpError(400, `parse error at line 1, col ${tok.col}: ${what} is not supported by this receiver`);
}

const UNSUPPORTED_STAGES = new Set(['distinct']);

/** `unwrap name`, `unwrap bytes(name)`, `unwrap duration(name)` or `duration_seconds(name)`. */
function unwrapClause(p: Parser): Unwrap {
  const first = p.expect('IDENT', 'IDENTIFIER');
  const open = p.peek();
  // The lexer reads `(name)` as one token when nothing separates it.
  const joined = open.kind === 'OTHER' ? /^\(([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(open.text) : null;
  if (joined && (first.text === 'bytes' || first.text === 'duration' || first.text === 'duration_seconds')) {
    p.next();
    return { label: joined[1]!, conversion: first.text === 'bytes' ? 'bytes' : 'duration', post: [] };
  }
  if (open.kind === 'OTHER' && open.text === '(') {
    const conversion =
      first.text === 'bytes'
        ? 'bytes'
        : first.text === 'duration' || first.text === 'duration_seconds'
          ? 'duration'
          : undefined;
    if (!conversion) throw unexpected(open, '|');
    p.next();
    const label = p.expect('IDENT', 'IDENTIFIER');
    const close = p.next();
    if (close.kind !== 'OTHER' || close.text !== ')') throw unexpected(close, ')');
    return { label: label.text, conversion, post: [] };
  }
  return { label: first.text, conversion: 'float', post: [] };
}

/** Loki's error for a stage that cannot be built: `parse error : stage '<stage>' : <why>`. */
function stageError(stage: string, why: string): LokiHttpError {
  return parseError(`stage '${stage}' : ${why}`);
}

function templateOf(text: string, name: 'line' | 'label', tok: Token, stage: () => string, label?: string) {
  try {
    return parseTemplate(text, name);
  } catch (error) {
    if (error instanceof TemplateUnsupported) throw notSupported(tok, error.message);
    if (error instanceof TemplateError) {
      const why =
        name === 'line'
          ? `invalid line template: ${error.message}`
          : `invalid template for label '${label}': ${error.message}`;
      throw stageError(stage(), why);
    }
    throw error;
  }
}

function pipelineStage(p: Parser): Stage {
  const tok = p.peek();
  if (tok.kind === 'OTHER' && tok.text === '(') return { kind: 'labels', test: labelOr(p) };
  if (tok.kind !== 'IDENT') throw unexpected(tok, 'a parser, a label filter, drop, keep or decolorize');
  if (UNSUPPORTED_STAGES.has(tok.text)) throw notSupported(tok, `pipeline stage '| ${tok.text}'`);
  if (tok.text === 'regexp' || tok.text === 'pattern') {
    p.next();
    const arg = p.expect('STRING', 'STRING');
    const invalid = `invalid ${tok.text} parser`;
    if (tok.text === 'pattern') {
      try {
        return patternStage(arg.value);
      } catch (error) {
        if (error instanceof PatternError) throw parseError(`${invalid}: ${error.message}`);
        throw error;
      }
    }
    // Go compiles a name given twice (RE2 refuses it): Loki's own check answers first.
    const named = [...arg.value.matchAll(/(?<!\\)\(\?P?<([A-Za-z0-9_]+)>/g)].map((m) => m[1]!);
    const twice = named.find((n, i) => named.indexOf(n) !== i);
    if (twice !== undefined) throw parseError(`${invalid}: duplicate extracted label name '${twice}'`);
    let captures: ReturnType<typeof compileCaptures>;
    try {
      captures = compileCaptures(arg.value);
    } catch (error) {
      if (error instanceof Re2Error) throw parseError(`${invalid}: ${error.message}`);
      throw error;
    }
    if (captures.names.length === 0) throw parseError(`${invalid}: at least one named capture must be supplied`);
    const seen = new Set<string>();
    for (const [name] of captures.names) {
      if (seen.has(name)) throw parseError(`${invalid}: duplicate extracted label name '${name}'`);
      seen.add(name);
    }
    return regexpStage(captures);
  }
  if (tok.text === 'unpack') {
    p.next();
    return unpackStage();
  }
  if (tok.text === 'line_format') {
    p.next();
    const arg = p.expect('STRING', 'STRING');
    return {
      kind: 'line_format',
      template: templateOf(arg.value, 'line', arg, () => `| line_format ${goQuote(arg.value)}`),
    };
  }
  if (tok.text === 'label_format') {
    p.next();
    const raw: Array<{ name: string; rename?: string; text?: string; tok: Token }> = [];
    for (;;) {
      const name = p.expect('IDENT', 'IDENTIFIER');
      p.expect('EQ', '=');
      const value = p.next();
      if (value.kind === 'IDENT') raw.push({ name: name.text, rename: value.text, tok: value });
      else if (value.kind === 'STRING') raw.push({ name: name.text, text: value.value, tok: value });
      else throw unexpected(value, 'IDENTIFIER or STRING');
      if (p.peek().kind !== 'COMMA') break;
      p.next();
    }
    const shown = () => `| label_format ${raw.map((f) => `${f.name}=${f.rename ?? goQuote(f.text!)}`).join(',')}`;
    const names = new Set<string>();
    for (const f of raw) {
      if (f.name === '__error__') throw stageError(shown(), '__error__ cannot be formatted');
      if (names.has(f.name))
        throw stageError(shown(), `multiple label name '${f.name}' not allowed in a single format operation`);
      names.add(f.name);
    }
    const formats: LabelFormat[] = raw.map((f) =>
      f.rename !== undefined
        ? { name: f.name, rename: f.rename }
        : { name: f.name, template: templateOf(f.text!, 'label', f.tok, shown, f.name) },
    );
    return { kind: 'label_format', formats };
  }
  if (tok.text === 'json' || tok.text === 'logfmt') {
    p.next();
    const after = p.peek();
    if (after.kind === 'OTHER' && after.text.startsWith('-'))
      throw notSupported(after, `| ${tok.text} flags (${after.text})`);
    if (after.kind === 'STRING') throw unexpected(after, '|');
    if (after.kind !== 'IDENT') return parserStage(tok.text);
    // Label extraction expressions: `name="path"` or a bare `name`, comma-separated.
    const extractions: Extraction[] = [];
    for (;;) {
      const name = p.expect('IDENT', 'IDENTIFIER');
      let source = name.text;
      let at = name;
      if (p.peek().kind === 'EQ') {
        p.next();
        at = p.expect('STRING', 'STRING');
        source = at.value;
      }
      const path = tok.text === 'json' ? jsonPath(source) : source === '' ? undefined : [source];
      if (!path)
        throw stageError(`| ${tok.text} ${name.text}=${goQuote(source)}`, `cannot parse expression [${source}]`);
      extractions.push({ name: name.text, path });
      if (p.peek().kind !== 'COMMA') break;
      p.next();
    }
    return tok.text === 'json' ? jsonExtractionStage(extractions) : logfmtExtractionStage(extractions);
  }
  if (tok.text === 'decolorize') {
    p.next();
    return { kind: 'decolorize' };
  }
  if (tok.text === 'drop' || tok.text === 'keep') {
    p.next();
    const labels: NamedMatcher[] = [];
    for (;;) {
      const name = p.expect('IDENT', 'IDENTIFIER');
      const opTok = p.peek();
      if (opTok.kind === 'EQ' || opTok.kind === 'NEQ' || opTok.kind === 'RE' || opTok.kind === 'NRE') {
        p.next();
        const value = p.expect('STRING', 'STRING');
        const m = matcher(name.text, opTok.text as MatchOp, value.value, value.col);
        labels.push({ name: name.text, matches: m.matches });
      } else labels.push({ name: name.text });
      if (p.peek().kind !== 'COMMA') break;
      p.next();
    }
    return { kind: tok.text, labels };
  }
  const test = labelOr(p);
  return { kind: 'labels', test };
}

function labelOr(p: Parser): LabelPredicate {
  let left = labelAnd(p);
  while (p.peek().kind === 'OR') {
    p.next();
    const right = labelAnd(p);
    const l = left;
    left = (e) => l(e) || right(e);
  }
  return left;
}

function labelAnd(p: Parser): LabelPredicate {
  let left = labelPredicate(p);
  for (;;) {
    const t = p.peek();
    if (!((t.kind === 'IDENT' && t.text === 'and') || t.kind === 'COMMA')) return left;
    p.next();
    const right = labelPredicate(p);
    const l = left;
    left = (e) => l(e) && right(e);
  }
}

/** `ip("pattern")` after `ip` was seen: the compiled address test. */
function ipPattern(p: Parser): (address: string) => boolean {
  p.next();
  const open = p.next();
  if (open.kind !== 'OTHER' || open.text !== '(') throw unexpected(open, '(');
  const pattern = p.expect('STRING', 'STRING');
  const close = p.next();
  if (close.kind !== 'OTHER' || close.text !== ')') throw unexpected(close, ')');
  try {
    return compileIpPattern(pattern.value);
  } catch (error) {
    if (error instanceof IpPatternError) throw parseError(error.message);
    throw error;
  }
}

function labelPredicate(p: Parser): LabelPredicate {
  const open = p.peek();
  if (open.kind === 'OTHER' && open.text === '(') {
    // Parentheses group label filters: `| (status >= 500 or level="error") and app="web"`.
    p.next();
    const inner = labelOr(p);
    const close = p.next();
    if (close.kind !== 'OTHER' || close.text !== ')') throw unexpected(close, ')');
    return inner;
  }
  const name = p.expect('IDENT', 'IDENTIFIER');
  const opTok = p.next();
  // The lexer splits `==`, `>=` and `<=` in two: join them back.
  const doubled = (): boolean => {
    if (p.peek().kind !== 'EQ') return false;
    p.next();
    return true;
  };
  let op: string;
  if (opTok.kind === 'EQ') op = doubled() ? '==' : '=';
  else if (opTok.kind === 'NEQ' || opTok.kind === 'RE' || opTok.kind === 'NRE') op = opTok.text;
  else if (opTok.kind === 'OTHER' && (opTok.text === '>' || opTok.text === '<'))
    op = doubled() ? `${opTok.text}=` : opTok.text;
  else throw unexpected(opTok, '= or != or =~ or !~ or == or > or >= or < or <=');
  if (p.peek().kind === 'IDENT' && p.peek().text === 'ip' && (op === '=' || op === '==' || op === '!=')) {
    const test = ipPattern(p);
    const label = name.text;
    // An entry that already carries an error passes (pkg/logql/log/ip.go IPLabelFilter).
    return (e) => {
      if (labelValue(e, '__error__')) return true;
      const v = labelValue(e, label);
      if (v === undefined) return false;
      const found = lineHasIp(v, test);
      return op === '!=' ? !found : found;
    };
  }
  const value = p.next();
  if (value.kind === 'STRING') {
    if (op === '>' || op === '>=' || op === '<' || op === '<=')
      throw unexpected(value, 'a number, duration or bytes value');
    const sop = op === '==' ? '=' : (op as '=' | '!=' | '=~' | '!~');
    const re = sop === '=~' || sop === '!~' ? regex(value.value, true, value.col) : undefined;
    return stringPredicate(name.text, sop, value.value, re);
  }
  if (value.kind !== 'OTHER' && value.kind !== 'IDENT') throw unexpected(value, 'STRING or a number');
  if (op === '=~' || op === '!~') throw unexpected(value, 'STRING');
  const cop = (op === '=' ? '==' : op) as CompareOp;
  const text = value.text;
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return numberPredicate(name.text, cop, 'number', Number(text));
  const seconds = durationSeconds(text);
  if (seconds !== undefined) return numberPredicate(name.text, cop, 'duration', seconds);
  const bytes = byteCount(text);
  if (bytes !== undefined) return numberPredicate(name.text, cop, 'bytes', bytes);
  throw unexpected(value, 'a number, duration or bytes value');
}

/** Parses the label text of a pushed stream, `{a="b", c="d"}`, to name/value pairs (in order). */
export function parsePushLabels(text: string): Array<[string, string]> {
  // A pushed stream's labels are Prometheus' label text: no LogQL comments.
  const p = new Parser(text, { comments: false });
  const matchers = parseSelector(p, true);
  const end = p.next();
  if (end.kind !== 'EOF') throw unexpected(end, '$end');
  return matchers.map((m) => [m.name, m.value]);
}
