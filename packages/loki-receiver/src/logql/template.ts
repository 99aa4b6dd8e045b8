import { formatFloatV } from '../go-float.js';
import { GoSyntaxError, goQuote, readGoString } from '../go-quote.js';
import { type Re2, compileRe2 } from './re2.js';

// The templates of `| line_format` and `| label_format` (docs: LogQL
// template functions): Go's text/template run over the entry's labels, with
// missing labels reading as "" (Loki parses with missingkey=zero). This is a
// subset: text, `{{ }}` actions with trim markers and comments, label fields
// (`.name`), string, number and boolean constants, pipelines, parentheses,
// `if`/`else if`/`else`/`end`, Go's builtins `printf`, `print`, `len`, `eq`,
// `ne`, `lt`, `le`, `gt`, `ge`, `and`, `or`, `not`, and the commonly used
// functions of Loki's list (below). A function Loki has but this subset does
// not is refused when the query is parsed, as not supported.

/** A template Go would not parse: the text Go's error carries. */
export class TemplateError extends Error {}

/** A function Loki offers that this subset does not implement. */
export class TemplateUnsupported extends Error {}

/** A failure while running (Loki sets `__error__="TemplateFormatErr"` and keeps the entry). */
class ExecError extends Error {}

/** A float64 (printed as Go's %v does); plain JS numbers are Go ints. */
class GoFloat {
  constructor(readonly value: number) {}
}

/** A time.Time from `__timestamp__`, in nanoseconds. */
class GoTime {
  constructor(readonly ns: bigint) {}
}

type Value = string | number | boolean | GoFloat | GoTime;

export interface TemplateInput {
  /** Every label the entry carries at this stage (stream, structured metadata, parsed). */
  labels(name: string): string | undefined;
  line: string;
  tsNs: bigint;
}

type Operand =
  | { kind: 'field'; name: string }
  | { kind: 'const'; value: Value }
  | { kind: 'fn'; name: string }
  | { kind: 'pipe'; pipe: Pipeline };
type Command = Operand[];
type Pipeline = Command[];
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline }
  | { kind: 'if'; branches: Array<{ cond: Pipeline; body: Node[] }>; otherwise: Node[] };

/** Functions Loki lists (pkg/logql/log/fmt.go and its sprig subset) that this subset leaves out. */
const UNSUPPORTED = new Set([
  'date',
  'toDate',
  'now',
  'toDateInZone',
  'unixToTime',
  'fromJson',
  'bytes',
  'duration',
  'duration_seconds',
  'indent',
  'nindent',
  'html',
  'js',
  'urlquery',
  'index',
  'slice',
  'call',
  'println',
]);

// ---- Go formatting -------------------------------------------------------

function goTimeString(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const iso = new Date(ms).toISOString();
  const fracText = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fracText} +0000 UTC`;
}

function print(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  if (v instanceof GoFloat) return formatFloatV(v.value);
  return goTimeString(v.ns);
}

function typeName(v: Value): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'int';
  if (v instanceof GoFloat) return 'float64';
  return 'time.Time';
}

function str(v: Value): string {
  if (typeof v !== 'string') throw new ExecError(`wrong type for value; expected string; got ${typeName(v)}`);
  return v;
}

function int(v: Value): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoFloat && Number.isInteger(v.value)) return v.value;
  throw new ExecError(`wrong type for value; expected int; got ${typeName(v)}`);
}

/** spf13/cast's ToInt64 / ToFloat64 as sprig uses them: strings parsed, failures 0. */
function castNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoFloat) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^[-+]?(0x[0-9a-f]+|0o?[0-7]+|0b[01]+|\d+)$/i.test(t)) {
      const neg = t.startsWith('-');
      const body = t.replace(/^[-+]/, '');
      const n = /^0[0-7]+$/.test(body) ? Number.parseInt(body, 8) : Number(body.replace(/^0o/i, '0o'));
      return Number.isNaN(n) ? 0 : neg ? -n : n;
    }
    const f = Number(t);
    return t !== '' && Number.isFinite(f) ? f : 0;
  }
  return 0;
}
const toInt = (v: Value) => Math.trunc(castNumber(v));

function truthy(v: Value): boolean {
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'boolean') return v;
  if (v instanceof GoFloat) return v.value !== 0;
  return true;
}

function empty(v: Value | undefined): boolean {
  return v === undefined || !truthy(v);
}

function cmpValues(name: string, a: Value, b: Value): number {
  const num = (x: Value) => typeof x === 'number' || x instanceof GoFloat;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (num(a) && num(b)) {
    const x = castNumber(a);
    const y = castNumber(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean' && (name === 'eq' || name === 'ne')) return a === b ? 0 : 1;
  throw new ExecError(`error calling ${name}: incompatible types for comparison`);
}

/** Go's fmt verbs the templates use: %s %v %d %f %e %g %q %x %X %t %%, with flags, width and precision. */
function sprintf(format: string, args: Value[]): string {
  let i = 0;
  return format.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (_all, flags: string, width, prec, verb) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const a = args[i++]!;
    let out: string;
    const p = prec === undefined ? undefined : Number(prec);
    switch (verb) {
      case 's':
      case 'v':
        out = print(a);
        if (p !== undefined && typeof a === 'string') out = [...out].slice(0, p).join('');
        break;
      case 'd':
        out = typeof a === 'number' ? String(a) : `%!d(${typeName(a)}=${print(a)})`;
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'g': {
        const n = typeof a === 'number' ? a : a instanceof GoFloat ? a.value : undefined;
        if (n === undefined) out = `%!${verb}(${typeName(a)}=${print(a)})`;
        else if (verb === 'e') out = n.toExponential(p ?? 6).replace(/e([-+])(\d)$/, 'e$10$2');
        else if (verb === 'g') out = p === undefined ? formatFloatV(n) : String(Number(n.toPrecision(p)));
        else out = n.toFixed(Math.min(p ?? 6, 100));
        break;
      }
      case 'q':
        out = goQuote(print(a));
        break;
      case 'x':
      case 'X': {
        out = typeof a === 'number' ? a.toString(16) : Buffer.from(print(a)).toString('hex');
        if (verb === 'X') out = out.toUpperCase();
        break;
      }
      case 't':
        out = typeof a === 'boolean' ? String(a) : `%!t(${typeName(a)}=${print(a)})`;
        break;
      default:
        out = `%!${verb}(${typeName(a)}=${print(a)})`;
    }
    if (flags.includes('+') && typeof a === 'number' && a >= 0 && 'dfeg'.includes(verb)) out = `+${out}`;
    const w = width === undefined ? 0 : bounded(Number(width), 'printf width');
    if (out.length < w) {
      if (flags.includes('-')) out = out.padEnd(w, ' ');
      else if (flags.includes('0') && 'dfeg'.includes(verb)) {
        const sign = /^[-+]/.test(out) ? out[0]! : '';
        out = sign + out.slice(sign.length).padStart(w - sign.length, '0');
      } else out = out.padStart(w, ' ');
    }
    return out;
  });
}

function goTrim(s: string, cutset: string, left: boolean, right: boolean): string {
  const set = new Set([...cutset]);
  const chars = [...s];
  let a = 0;
  let b = chars.length;
  while (left && a < b && set.has(chars[a]!)) a++;
  while (right && b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

function goReplace(s: string, old: string, repl: string, n: number): string {
  if (n < 0) return s.split(old).join(repl);
  let out = s;
  let from = 0;
  for (let k = 0; k < n; k++) {
    const at = old === '' ? (k === 0 ? 0 : from + 1) : out.indexOf(old, from);
    if (at < 0 || at > out.length) break;
    out = out.slice(0, at) + repl + out.slice(at + old.length);
    from = at + repl.length;
  }
  return out;
}

/** Go's regexp ReplaceAllString: `$1`, `${name}` expand (a name runs as far as it can). */
function regexReplace(pattern: string, s: string, repl: string, literal: boolean): string {
  let re: Re2;
  try {
    re = compileRe2(pattern, false);
  } catch (error) {
    throw new ExecError((error as Error).message);
  }
  const js = re.replaceAll;
  if (!js) return s;
  return js(s, repl, literal);
}

function trunc(c: number, s: string): string {
  const runes = [...s];
  if (c < 0 && runes.length + c > 0) return runes.slice(runes.length + c).join('');
  if (c >= 0 && runes.length > c) return runes.slice(0, c).join('');
  return s;
}

function align(count: number, s: string, right: boolean): string {
  const runes = [...s];
  if (count < 0 || count === runes.length) return s;
  const pad = count - runes.length;
  if (pad > 0) return right ? ' '.repeat(pad) + s : s + ' '.repeat(pad);
  return right ? runes.slice(runes.length - count).join('') : runes.slice(0, count).join('');
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/~/g, '~');
}

/** The longest text a template function may build (a line is at most 256 KiB in Loki's default limits). */
const MAX_TEXT = 1 << 20;

function bounded(chars: number, what: string): number {
  if (chars > MAX_TEXT) throw new ExecError(`${what} would make ${chars} characters, over the receiver's ${MAX_TEXT}`);
  return chars;
}

type Fn = (args: Value[], input: TemplateInput) => Value;

function arity(name: string, args: Value[], n: number): void {
  if (args.length !== n) throw new ExecError(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

const s1 =
  (name: string, f: (s: string) => string): Fn =>
  (a) => {
    arity(name, a, 1);
    return f(str(a[0]!));
  };
const s2 =
  (name: string, f: (x: string, y: string) => Value): Fn =>
  (a) => {
    arity(name, a, 2);
    return f(str(a[0]!), str(a[1]!));
  };

const FUNCTIONS: Record<string, Fn> = {
  // Loki's own list.
  ToLower: s1('ToLower', (s) => s.toLowerCase()),
  ToUpper: s1('ToUpper', (s) => s.toUpperCase()),
  Replace: (a) => {
    arity('Replace', a, 4);
    return goReplace(str(a[0]!), str(a[1]!), str(a[2]!), int(a[3]!));
  },
  Trim: s2('Trim', (s, cut) => goTrim(s, cut, true, true)),
  TrimLeft: s2('TrimLeft', (s, cut) => goTrim(s, cut, true, false)),
  TrimRight: s2('TrimRight', (s, cut) => goTrim(s, cut, false, true)),
  TrimPrefix: s2('TrimPrefix', (s, p) => (s.startsWith(p) ? s.slice(p.length) : s)),
  TrimSuffix: s2('TrimSuffix', (s, p) => (p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s)),
  TrimSpace: s1('TrimSpace', (s) => s.trim()),
  regexReplaceAll: (a) => {
    arity('regexReplaceAll', a, 3);
    return regexReplace(str(a[0]!), str(a[1]!), str(a[2]!), false);
  },
  regexReplaceAllLiteral: (a) => {
    arity('regexReplaceAllLiteral', a, 3);
    return regexReplace(str(a[0]!), str(a[1]!), str(a[2]!), true);
  },
  count: (a) => {
    arity('count', a, 2);
    let re: Re2;
    try {
      re = compileRe2(str(a[0]!), false);
    } catch (error) {
      throw new ExecError((error as Error).message);
    }
    return re.countAll ? re.countAll(str(a[1]!)) : 0;
  },
  urldecode: s1('urldecode', (s) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw new ExecError(`invalid URL escape in ${JSON.stringify(s)}`);
    }
  }),
  urlencode: s1('urlencode', queryEscape),
  unixEpochMillis: (a) => {
    arity('unixEpochMillis', a, 1);
    const t = a[0];
    if (!(t instanceof GoTime)) throw new ExecError(`wrong type for value; expected time.Time; got ${typeName(t!)}`);
    return Number(t.ns / 1_000_000n);
  },
  unixEpochNanos: (a) => {
    arity('unixEpochNanos', a, 1);
    const t = a[0];
    if (!(t instanceof GoTime)) throw new ExecError(`wrong type for value; expected time.Time; got ${typeName(t!)}`);
    return Number(t.ns);
  },
  unixEpoch: (a) => {
    arity('unixEpoch', a, 1);
    const t = a[0];
    if (!(t instanceof GoTime)) throw new ExecError(`wrong type for value; expected time.Time; got ${typeName(t!)}`);
    return Number(t.ns / 1_000_000_000n);
  },
  alignLeft: (a) => {
    arity('alignLeft', a, 2);
    return align(bounded(int(a[0]!), 'alignLeft'), str(a[1]!), false);
  },
  alignRight: (a) => {
    arity('alignRight', a, 2);
    return align(bounded(int(a[0]!), 'alignRight'), str(a[1]!), true);
  },
  __line__: (_a, input) => input.line,
  __timestamp__: (_a, input) => new GoTime(input.tsNs),
  // Sprig's, as Loki lists them.
  b64enc: s1('b64enc', (s) => Buffer.from(s).toString('base64')),
  b64dec: s1('b64dec', (s) => Buffer.from(s, 'base64').toString('utf8')),
  lower: s1('lower', (s) => s.toLowerCase()),
  upper: s1('upper', (s) => s.toUpperCase()),
  title: s1('title', (s) =>
    s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase()),
  ),
  trunc: (a) => {
    arity('trunc', a, 2);
    return trunc(int(a[0]!), str(a[1]!));
  },
  substr: (a) => {
    arity('substr', a, 3);
    const s = str(a[2]!);
    const start = int(a[0]!);
    const end = int(a[1]!);
    if (start < 0) return s.slice(0, end);
    if (end < 0 || end > s.length) return s.slice(start);
    return start > end ? '' : s.slice(start, end);
  },
  contains: s2('contains', (sub, s) => s.includes(sub)),
  hasPrefix: s2('hasPrefix', (p, s) => s.startsWith(p)),
  hasSuffix: s2('hasSuffix', (p, s) => s.endsWith(p)),
  replace: (a) => {
    arity('replace', a, 3);
    return str(a[2]!).split(str(a[0]!)).join(str(a[1]!));
  },
  repeat: (a) => {
    arity('repeat', a, 2);
    const text = str(a[1]!);
    const count = Math.max(0, int(a[0]!));
    bounded(count * text.length, 'repeat');
    return text.repeat(count);
  },
  trim: s1('trim', (s) => s.trim()),
  trimAll: s2('trimAll', (cut, s) => goTrim(s, cut, true, true)),
  trimSuffix: s2('trimSuffix', (p, s) => (p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s)),
  trimPrefix: s2('trimPrefix', (p, s) => (s.startsWith(p) ? s.slice(p.length) : s)),
  int: (a) => {
    arity('int', a, 1);
    return toInt(a[0]!);
  },
  float64: (a) => {
    arity('float64', a, 1);
    return new GoFloat(castNumber(a[0]!));
  },
  add: (a) => a.reduce<number>((n, v) => n + toInt(v), 0),
  sub: (a) => {
    arity('sub', a, 2);
    return toInt(a[0]!) - toInt(a[1]!);
  },
  mul: (a) => a.reduce<number>((n, v) => n * toInt(v), 1),
  div: (a) => {
    arity('div', a, 2);
    const d = toInt(a[1]!);
    if (d === 0) throw new ExecError('error calling div: runtime error: integer divide by zero');
    return Math.trunc(toInt(a[0]!) / d);
  },
  mod: (a) => {
    arity('mod', a, 2);
    const d = toInt(a[1]!);
    if (d === 0) throw new ExecError('error calling mod: runtime error: integer divide by zero');
    return toInt(a[0]!) % d;
  },
  addf: (a) => new GoFloat(a.reduce<number>((n, v) => n + castNumber(v), 0)),
  subf: (a) => new GoFloat(a.slice(1).reduce<number>((n, v) => n - castNumber(v), castNumber(a[0] ?? 0))),
  mulf: (a) => new GoFloat(a.reduce<number>((n, v) => n * castNumber(v), 1)),
  divf: (a) => new GoFloat(a.slice(1).reduce<number>((n, v) => n / castNumber(v), castNumber(a[0] ?? 0))),
  max: (a) => Math.max(...a.map(toInt)),
  min: (a) => Math.min(...a.map(toInt)),
  maxf: (a) => new GoFloat(Math.max(...a.map(castNumber))),
  minf: (a) => new GoFloat(Math.min(...a.map(castNumber))),
  ceil: (a) => new GoFloat(Math.ceil(castNumber(a[0] ?? 0))),
  floor: (a) => new GoFloat(Math.floor(castNumber(a[0] ?? 0))),
  round: (a) => {
    const p = 10 ** int(a[1] ?? 0);
    const x = castNumber(a[0] ?? 0) * p;
    const r = x - Math.floor(x) >= 0.5 ? Math.ceil(x) : Math.floor(x);
    return new GoFloat(r / p);
  },
  default: (a) => {
    if (a.length < 1) throw new ExecError('wrong number of args for default: want at least 1 got 0');
    return a.length < 2 || empty(a[1]) ? a[0]! : a[1]!;
  },
  // Go's builtins.
  printf: (a) => {
    if (a.length < 1) throw new ExecError('wrong number of args for printf: want at least 1 got 0');
    return sprintf(str(a[0]!), a.slice(1));
  },
  print: (a) =>
    a.map((v, i) => (i > 0 && typeof v !== 'string' && typeof a[i - 1] !== 'string' ? ' ' : '') + print(v)).join(''),
  len: (a) => {
    arity('len', a, 1);
    return Buffer.byteLength(str(a[0]!));
  },
  not: (a) => {
    arity('not', a, 1);
    return !truthy(a[0]!);
  },
  and: (a) => {
    for (const v of a) if (!truthy(v)) return v;
    return a.at(-1)!;
  },
  or: (a) => {
    for (const v of a) if (truthy(v)) return v;
    return a.at(-1)!;
  },
  eq: (a) => {
    if (a.length < 2) throw new ExecError('error calling eq: missing argument for comparison');
    return a.slice(1).some((b) => cmpValues('eq', a[0]!, b) === 0);
  },
  ne: (a) => {
    arity('ne', a, 2);
    return cmpValues('ne', a[0]!, a[1]!) !== 0;
  },
  lt: (a) => cmpValues('lt', a[0]!, a[1]!) < 0,
  le: (a) => cmpValues('le', a[0]!, a[1]!) <= 0,
  gt: (a) => cmpValues('gt', a[0]!, a[1]!) > 0,
  ge: (a) => cmpValues('ge', a[0]!, a[1]!) >= 0,
};

// ---- parsing -------------------------------------------------------------

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

class ActionLexer {
  at = 0;
  constructor(
    readonly text: string,
    readonly name: string,
  ) {}
  fail(why: string): TemplateError {
    return new TemplateError(`template: ${this.name}:1: ${why}`);
  }
  space(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }
  done(): boolean {
    this.space();
    return this.at >= this.text.length;
  }
  peek(): string {
    this.space();
    return this.text[this.at] ?? '';
  }
  word(): string | undefined {
    this.space();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.at));
    return m?.[0];
  }
}

function parsePipeline(lx: ActionLexer, closing: string): Pipeline {
  const pipe: Pipeline = [];
  for (;;) {
    const cmd: Command = [];
    for (;;) {
      const c = lx.peek();
      if (c === '' || c === '|' || c === closing) break;
      cmd.push(parseOperand(lx));
    }
    if (cmd.length === 0) throw lx.fail('missing value for command');
    pipe.push(cmd);
    if (lx.peek() !== '|') return pipe;
    lx.at++;
  }
}

function parseOperand(lx: ActionLexer): Operand {
  const c = lx.peek();
  if (c === '(') {
    lx.at++;
    const pipe = parsePipeline(lx, ')');
    if (lx.peek() !== ')') throw lx.fail('unclosed left paren');
    lx.at++;
    return { kind: 'pipe', pipe };
  }
  if (c === '"' || c === '`') {
    try {
      const { value, end } = readGoString(lx.text, lx.at);
      lx.at = end;
      return { kind: 'const', value };
    } catch (error) {
      if (error instanceof GoSyntaxError) throw lx.fail('unterminated quoted string');
      throw error;
    }
  }
  if (c === '.') {
    const m = /^\.([A-Za-z_][A-Za-z0-9_]*)?/.exec(lx.text.slice(lx.at))!;
    lx.at += m[0].length;
    if (m[1] === undefined) throw new TemplateUnsupported('the dot `.` on its own');
    if (lx.text[lx.at] === '.') throw new TemplateUnsupported('nested fields (`.a.b`)');
    return { kind: 'field', name: m[1] };
  }
  if (c === '$') throw new TemplateUnsupported('template variables');
  const num = /^[-+]?(0x[0-9a-fA-F_]+|\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)/.exec(lx.text.slice(lx.at));
  if (num) {
    lx.at += num[0].length;
    const text = num[0].replace(/_/g, '');
    const isFloat = /[.eE]/.test(text) && !/^[-+]?0x/i.test(text);
    return { kind: 'const', value: isFloat ? new GoFloat(Number(text)) : Number(text) };
  }
  const word = lx.word();
  if (word === undefined) throw lx.fail(`unexpected ${JSON.stringify(c)} in command`);
  lx.at += word.length;
  if (word === 'true' || word === 'false') return { kind: 'const', value: word === 'true' };
  if (word === 'nil') throw lx.fail('nil is not a command');
  if (KEYWORDS.has(word)) throw lx.fail(`unexpected <${word}> in command`);
  if (UNSUPPORTED.has(word)) throw new TemplateUnsupported(`the template function ${word}`);
  if (!Object.hasOwn(FUNCTIONS, word)) throw lx.fail(`function ${JSON.stringify(word)} not defined`);
  return { kind: 'fn', name: word };
}

interface Action {
  text: string;
}

/** Splits the template into text and actions, applying `{{-` and `-}}` trim markers. */
function split(template: string, name: string): Array<string | Action> {
  const parts: Array<string | Action> = [];
  let at = 0;
  let trimNext = false;
  while (at <= template.length) {
    const open = template.indexOf('{{', at);
    let text = open < 0 ? template.slice(at) : template.slice(at, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      if (text !== '') parts.push(text);
      break;
    }
    let inner = open + 2;
    if (/^-[\s]/.test(template.slice(inner))) {
      text = text.replace(/\s+$/, '');
      inner += 1;
    }
    if (text !== '') parts.push(text);
    // Find the closing braces outside quoted strings.
    let i = inner;
    let close = -1;
    while (i < template.length) {
      const ch = template[i]!;
      if (ch === '"' || ch === '`') {
        try {
          i = readGoString(template, i).end;
          continue;
        } catch {
          throw new TemplateError(`template: ${name}:1: unterminated quoted string`);
        }
      }
      if (template.startsWith('}}', i)) {
        close = i;
        break;
      }
      i++;
    }
    if (close < 0) throw new TemplateError(`template: ${name}:1: unclosed action`);
    let body = template.slice(inner, close);
    trimNext = false;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    parts.push({ text: body });
    at = close + 2;
  }
  return parts;
}

function parseNodes(parts: Array<string | Action>, name: string): Node[] {
  let at = 0;
  const fail = (why: string) => new TemplateError(`template: ${name}:1: ${why}`);
  const list = (stopAt: Set<string>): { nodes: Node[]; stop?: string; rest?: string } => {
    const nodes: Node[] = [];
    while (at < parts.length) {
      const part = parts[at++]!;
      if (typeof part === 'string') {
        nodes.push({ kind: 'text', text: part });
        continue;
      }
      const body = part.text.trim();
      if (body.startsWith('/*')) {
        if (!body.endsWith('*/')) throw fail('unclosed comment');
        continue;
      }
      const kw = /^([a-z]+)\b\s*([\s\S]*)$/.exec(body);
      const word = kw?.[1];
      if (word && (word === 'else' || word === 'end')) {
        if (!stopAt.has(word)) throw fail(`unexpected {{${word}}}`);
        return { nodes, stop: word, rest: kw![2] };
      }
      if (word === 'if') {
        const branches: Array<{ cond: Pipeline; body: Node[] }> = [];
        let cond = pipelineOf(kw![2]!, name);
        let otherwise: Node[] = [];
        for (;;) {
          const inner = list(new Set(['else', 'end']));
          if (inner.stop === undefined) throw fail('unexpected EOF');
          branches.push({ cond, body: inner.nodes });
          if (inner.stop === 'end') break;
          const rest = inner.rest!.trim();
          if (rest.startsWith('if ') || rest === 'if') {
            cond = pipelineOf(rest.slice(2), name);
            continue;
          }
          if (rest !== '') throw fail(`unexpected ${JSON.stringify(rest)} in else`);
          const last = list(new Set(['end']));
          if (last.stop !== 'end') throw fail('unexpected EOF');
          otherwise = last.nodes;
          break;
        }
        nodes.push({ kind: 'if', branches, otherwise });
        continue;
      }
      if (word && KEYWORDS.has(word)) throw new TemplateUnsupported(`{{${word}}} in templates`);
      nodes.push({ kind: 'action', pipe: pipelineOf(body, name) });
    }
    return { nodes };
  };
  const out = list(new Set());
  return out.nodes;
}

function pipelineOf(text: string, name: string): Pipeline {
  const lx = new ActionLexer(text, name);
  if (lx.done()) throw lx.fail('missing value for command');
  const pipe = parsePipeline(lx, '');
  if (!lx.done()) throw lx.fail(`unexpected ${JSON.stringify(lx.peek())} in operand`);
  return pipe;
}

// ---- running -------------------------------------------------------------

function evalPipeline(pipe: Pipeline, input: TemplateInput): Value {
  let prev: Value | undefined;
  for (const cmd of pipe) {
    const [head, ...rest] = cmd;
    if (head!.kind === 'fn') {
      const args = rest.map((op) => evalOperand(op, input));
      if (prev !== undefined) args.push(prev);
      try {
        prev = FUNCTIONS[head!.name]!(args, input);
      } catch (error) {
        if (error instanceof ExecError) throw new ExecError(`error calling ${head!.name}: ${error.message}`);
        throw error;
      }
      continue;
    }
    if (rest.length > 0 || prev !== undefined)
      throw new ExecError(`can't give argument to non-function ${show(head!)}`);
    prev = evalOperand(head!, input);
  }
  return prev!;
}

function show(op: Operand): string {
  if (op.kind === 'field') return `.${op.name}`;
  if (op.kind === 'const') return print(op.value);
  return '(...)';
}

function evalOperand(op: Operand, input: TemplateInput): Value {
  switch (op.kind) {
    case 'field':
      return input.labels(op.name) ?? '';
    case 'const':
      return op.value;
    case 'pipe':
      return evalPipeline(op.pipe, input);
    case 'fn':
      return FUNCTIONS[op.name]!([], input);
  }
}

function run(nodes: Node[], input: TemplateInput, out: string[]): void {
  for (const node of nodes) {
    if (node.kind === 'text') out.push(node.text);
    else if (node.kind === 'action') out.push(print(evalPipeline(node.pipe, input)));
    else {
      const branch = node.branches.find((b) => truthy(evalPipeline(b.cond, input)));
      run(branch ? branch.body : node.otherwise, input, out);
    }
  }
}

/** A parsed template; `execute` gives the text, or an error message (Loki's TemplateFormatErr). */
export interface Template {
  execute(input: TemplateInput): { ok: true; text: string } | { ok: false; error: string };
  /** The label a template of just `{{.name}}` reads (Loki copies it straight). */
  simpleField?: string;
}

/** Parses a template (`name` is Go's template name in messages: `line` or `label`). */
export function parseTemplate(text: string, name: string): Template {
  const nodes = parseNodes(split(text, name), name);
  const only = nodes.length === 1 ? nodes[0] : undefined;
  const simpleField =
    only?.kind === 'action' &&
    only.pipe.length === 1 &&
    only.pipe[0]!.length === 1 &&
    only.pipe[0]![0]!.kind === 'field'
      ? only.pipe[0]![0]!.name
      : undefined;
  return {
    simpleField,
    execute(input) {
      const out: string[] = [];
      try {
        run(nodes, input, out);
      } catch (error) {
        if (error instanceof ExecError) return { ok: false, error: `template: ${name}:1: ${error.message}` };
        throw error;
      }
      return { ok: true, text: out.join('') };
    },
  };
}
