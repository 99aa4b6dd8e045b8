// The `| pattern` parser (docs: LogQL log queries, "Pattern"): literals and
// captures `<name>` (`<_>` captures without a label). A line must start with
// the leading literal; each capture takes the text up to the first
// occurrence of the literal after it, the last capture runs to the end of the
// line, and when a literal is missing the capture before it takes the rest of
// the line and matching stops there.

type Part = { literal: string } | { capture: string };

/** A pattern Loki refuses; the text is Loki's (pkg/logql/log/pattern). */
export class PatternError extends Error {}

const CAPTURE = /<([A-Za-z_][A-Za-z0-9_]*)>/y;

function parts(pattern: string): Part[] {
  const out: Part[] = [];
  let literal = '';
  for (let i = 0; i < pattern.length; ) {
    CAPTURE.lastIndex = i;
    const m = CAPTURE.exec(pattern);
    if (m) {
      if (literal !== '') out.push({ literal });
      literal = '';
      out.push({ capture: m[1]! });
      i += m[0].length;
    } else {
      literal += pattern[i];
      i += 1;
    }
  }
  if (literal !== '') out.push({ literal });
  return out;
}

export interface PatternMatcher {
  /** Names of the named captures, in order. */
  names: string[];
  /** The named captures' values (fewer than `names` when the line ends early); [] when the line does not match. */
  match(line: string): string[];
}

/** Compiles a pattern, refusing what Loki refuses. */
export function compilePattern(pattern: string): PatternMatcher {
  const expr = parts(pattern);
  const names = expr.flatMap((p) => ('capture' in p && p.capture !== '_' ? [p.capture] : []));
  if (names.length === 0) throw new PatternError('at least one capture is required');
  for (let i = 0; i + 1 < expr.length; i++) {
    const a = expr[i]!;
    const b = expr[i + 1]!;
    if ('capture' in a && 'capture' in b)
      throw new PatternError(`found consecutive capture '<${a.capture}><${b.capture}>': invalid expression`);
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new PatternError(`duplicate capture name (${n}): invalid expression`);
    seen.add(n);
  }
  return {
    names,
    match(line) {
      if (line === '') return [];
      let rest = line;
      let at = 0;
      const first = expr[0]!;
      if ('literal' in first) {
        if (!rest.startsWith(first.literal)) return [];
        rest = rest.slice(first.literal.length);
        at = 1;
      }
      const out: string[] = [];
      if (at >= expr.length) return out;
      while (at < expr.length) {
        const cap = expr[at] as { capture: string };
        if (at + 1 >= expr.length) {
          if (cap.capture !== '_') out.push(rest);
          return out;
        }
        const lit = (expr[at + 1] as { literal: string }).literal;
        at += 2;
        const i = rest.indexOf(lit);
        if (i < 0) {
          if (cap.capture !== '_') out.push(rest);
          return out;
        }
        if (cap.capture !== '_') out.push(rest.slice(0, i));
        rest = rest.slice(i + lit.length);
      }
      return out;
    },
  };
}

/**
 * A pattern line filter (`|> "<_> GET <_>"`, docs: log queries, "Pattern
 * match filter"): only `<_>` captures; the literals must appear in order, a
 * capture between them must not be empty, and a pattern ending on a literal
 * must end the line (Loki's Matcher.Test).
 */
export function compileLinePattern(pattern: string): (line: string) => boolean {
  const expr = parts(pattern);
  for (let i = 0; i + 1 < expr.length; i++) {
    const a = expr[i]!;
    const b = expr[i + 1]!;
    if ('capture' in a && 'capture' in b)
      throw new PatternError(`found consecutive capture '<${a.capture}><${b.capture}>': invalid expression`);
  }
  for (const p of expr)
    if ('capture' in p && p.capture !== '_')
      throw new PatternError(`named captures are not allowed: found '<${p.capture}>'`);
  const endsOnCapture = expr.length > 0 && 'capture' in expr[expr.length - 1]!;
  return (line) => {
    if (line === '' || expr.length === 0) return line === '' && expr.length === 0;
    let off = 0;
    for (let i = 0; i < expr.length; i++) {
      const p = expr[i]!;
      if (!('literal' in p)) continue;
      const j = line.indexOf(p.literal, off);
      if (j < 0) return false;
      if (i !== 0 && j === off) return false;
      off = j + p.literal.length;
    }
    return endsOnCapture === (off !== line.length);
  };
}
