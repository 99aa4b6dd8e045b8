/** The lines of the masking benchmark: each about 100 characters, none holding a secret unless it says so. */
export const MASKING_CASES = {
  /** No syntax a secret could hide in. */
  plain: `request done for user user123 on /api/items with status 200 in 12 ms ${'y'.repeat(28)}`,
  /** logfmt `key=value` pairs, none of them secret: the syntax the rules look for, so every line is checked. */
  'key=value': `level=info msg=request-done user=user123 path=/api/items status=200 duration_ms=12 ${'y'.repeat(16)}`,
  /** The plain line in terminal colours. */
  coloured: `\x1b[32mINFO\x1b[0m request done for \x1b[1muser123\x1b[22m on /api/items with status \x1b[33m200\x1b[0m ${'y'.repeat(14)}`,
  /** A `key=value` line with a secret in it: masked on every line. */
  secret: `level=info msg=login user=user123 password=hunter2-bench path=/api/login status=200 ${'y'.repeat(14)}`,
} as const;

export type MaskingCase = keyof typeof MASKING_CASES;
