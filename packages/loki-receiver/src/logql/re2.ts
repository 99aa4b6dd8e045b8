import { RE2JS, RE2JSException } from 're2js';

// Loki's regexes are Go's regexp (RE2 syntax and semantics). They run here on
// re2js, a port of RE2, so `.` matching `\r` and U+2028, `(?m)`, flag groups,
// repeat limits (`a{1001}` is refused) and Go's error texts come out as in Go.

/** A pattern Go's regexp would not compile. */
export class Re2Error extends Error {}

/** A compiled pattern: `test` is a search, or a whole-value match when anchored. */
export interface Re2 {
  test(input: string): boolean;
  /** Go's ReplaceAllString (`$1`, `${name}` expanded) or, with `literal`, ReplaceAllLiteralString. */
  replaceAll?(input: string, replacement: string, literal: boolean): string;
  /** How many non-overlapping matches the input holds (FindAllStringIndex). */
  countAll?(input: string): number;
}

function compile(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (error) {
    if (error instanceof RE2JSException) throw new Re2Error(error.message);
    throw error;
  }
}

/**
 * Compiles an RE2 pattern. `anchored` is how Prometheus label matchers read a
 * value: the whole value must match, `.` spans newlines (`^(?s:re)$`).
 */
export function compileRe2(pattern: string, anchored: boolean): Re2 {
  // Go parses the pattern on its own first, so a broken one reports its own text, not the wrapper's.
  let re = compile(pattern);
  if (anchored) {
    re = compile(`^(?s:${pattern})$`);
    return { test: (input) => re.testExact(input) };
  }
  return {
    test: (input) => re.test(input),
    replaceAll: (input, replacement, literal) => replaceAll(re, input, replacement, literal),
    countAll: (input) => {
      const m = re.matcher(input);
      let n = 0;
      while (m.find()) n++;
      return n;
    },
  };
}

/** Go's Regexp.Expand for one match: `$n`, `$name`, `${name}`, `$$`; unknown names expand to "". */
function expand(template: string, group: (name: string) => string): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (all, what: string, braced, bare) => {
    if (what === '$') return '$';
    const name = (braced ?? bare) as string | undefined;
    return name === undefined ? all : group(name);
  });
}

function replaceAll(re: RE2JS, input: string, replacement: string, literal: boolean): string {
  const m = re.matcher(input);
  const named = re.namedGroups();
  let out = '';
  let last = 0;
  while (m.find()) {
    const start = m.start();
    const end = m.end();
    out += input.slice(last, start);
    out += literal
      ? replacement
      : expand(replacement, (name) => {
          const index = /^\d+$/.test(name) ? Number(name) : named[name];
          if (index === undefined || index > re.groupCount()) return '';
          return m.group(index) ?? '';
        });
    last = end;
  }
  return out + input.slice(last);
}

/** A pattern with capture groups, for `| regexp`: each match gives the named groups' text. */
export interface Re2Captures {
  names: Array<[string, number]>;
  /** The first match's named groups ("" for a group that took no part), or undefined when nothing matches. */
  exec(input: string): string[] | undefined;
}

/** Compiles a pattern and lists its named groups in order. */
export function compileCaptures(pattern: string): Re2Captures {
  const re = compile(pattern);
  const names = Object.entries(re.namedGroups()).sort((a, b) => a[1] - b[1]);
  return {
    names,
    exec(input) {
      const m = re.matcher(input);
      if (!m.find()) return undefined;
      return names.map(([, i]) => m.group(i) ?? '');
    },
  };
}

/** Number of capture groups, named or not. */
export function groupCount(pattern: string): number {
  return compile(pattern).groupCount();
}

/**
 * Prometheus' label_replace matching: the whole value must match (`^(?:re)$`);
 * gives the replacement with `$1`, `${name}` expanded, or undefined without a match.
 */
export function compileLabelReplace(pattern: string): (value: string, replacement: string) => string | undefined {
  compile(pattern);
  const re = compile(`^(?s:${pattern})$`);
  const named = re.namedGroups();
  return (value, replacement) => {
    const m = re.matcher(value);
    if (!m.find()) return undefined;
    return expand(replacement, (name) => {
      const index = /^\d+$/.test(name) ? Number(name) : named[name];
      if (index === undefined || index > re.groupCount()) return '';
      return m.group(index) ?? '';
    });
  };
}
