import { RE2JS, RE2JSException } from 're2js';

// Loki's regexes are Go's regexp (RE2 syntax and semantics). They run here on
// re2js, a port of RE2, so `.` matching `\r` and U+2028, `(?m)`, flag groups,
// repeat limits (`a{1001}` is refused) and Go's error texts come out as in Go.

/** A pattern Go's regexp would not compile. */
export class Re2Error extends Error {}

/** A compiled pattern: `test` is a search, or a whole-value match when anchored. */
export interface Re2 {
  test(input: string): boolean;
}

/**
 * Compiles an RE2 pattern. `anchored` is how Prometheus label matchers read a
 * value: the whole value must match, `.` spans newlines (`^(?s:re)$`).
 */
export function compileRe2(pattern: string, anchored: boolean): Re2 {
  let re: RE2JS;
  try {
    // Go parses the pattern on its own first, so a broken one reports its own text, not the wrapper's.
    re = RE2JS.compile(pattern);
    if (anchored) re = RE2JS.compile(`^(?s:${pattern})$`);
  } catch (error) {
    if (error instanceof RE2JSException) throw new Re2Error(error.message);
    throw error;
  }
  return anchored ? { test: (input) => re.testExact(input) } : { test: (input) => re.test(input) };
}
