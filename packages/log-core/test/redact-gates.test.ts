// The cheap gates in front of the masking rules: each must be at least as wide as what its
// rule can change, or a secret would pass unmasked. Texts are built from the pieces the gates
// look at (token prefixes, key starts, separators, scheme words in any case) so edges are hit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../src/index.js';
import { createEngine } from '../src/redact-line.js';
import { DEFAULT_REDACT_KEYS, hasTokenHint, normalizeKey, SECRET_WORDS, TOKEN_HINT } from '../src/redact-rules.js';

const PIECES = [
  'gh',
  'p',
  'o',
  'u',
  's',
  'r',
  '_',
  '-',
  'github',
  'pat',
  'glpat',
  'xox',
  'a',
  'b',
  'k',
  'sk',
  'rk',
  'live',
  'test',
  'AKIA',
  'ASIA',
  'AIza',
  'npm',
  'eyJ',
  '.',
  'A',
  'I',
  'S',
  'K',
  'z',
  'x',
  'y',
  'J',
  'pas',
  'Pass',
  'PASSWORD',
  'word',
  'tok',
  'Token',
  'en',
  'sec',
  'ret',
  'api',
  'Key',
  'aut',
  'AUTH',
  'h',
  'pwd',
  'dsn',
  'cookie',
  'Authorization',
  'bearer',
  'BEARER',
  'Basic',
  'bAsIc',
  'tOkEn',
  '=',
  ':',
  ' ',
  '  ',
  '--',
  '"',
  "'",
  '://',
  '@',
  'https',
  'u',
  '0123456789',
  'abcdefghij',
  'ABCDEFGHIJKLMNOP',
  'QRSTUVWXYZ',
  '\n',
  '\t',
  '\u00a0',
];
// Short texts too: a long one almost always opens some other gate, which hides a gate that is too narrow.
const text = fc
  .oneof(
    fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }),
    fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }),
  )
  .map((p) => p.join(''));

describe('masking gates', () => {
  it('hasTokenHint answers as TOKEN_HINT.test', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(hasTokenHint(t)).toBe(TOKEN_HINT.test(t));
      }),
      { numRuns: 3000 },
    );
  });

  const cases: Record<string, { keys?: string[]; defaults?: boolean; disable?: string[] }> = {
    defaults: {},
    'extra keys': { keys: ['ab', 'zz-top', 'ACME_ID'] },
    'no defaults': { defaults: false, keys: ['secret'] },
    'no tokens, no schemes': { disable: ['github-token', 'slack-token', 'sk-key', 'bearer-basic'] },
    'no key-value rule': { disable: ['secret-key-value'] },
    'no header rule': { disable: ['auth-header'] },
    'no flag, no URL rules': { disable: ['secret-flag', 'url-password', 'url-token-user'] },
  };

  it.each(Object.entries(cases))(
    'the gates change no line: same text as every rule run on every line (%s)',
    (_name, o) => {
      const r = createRedactor(o);
      const keyHints = [...(o.defaults === false ? [] : [...DEFAULT_REDACT_KEYS, ...SECRET_WORDS]), ...(o.keys ?? [])]
        .map(normalizeKey)
        .filter(Boolean);
      const config = {
        isSecretKey: r.isSecretKey,
        keyHints,
        censor: r.censor,
        disabled: new Set(o.disable ?? []),
        rules: [],
        knownValues: [],
      };
      const gated = createEngine(config);
      const ungated = createEngine({ ...config, gates: false });
      fc.assert(
        fc.property(text, (t) => {
          const want = ungated.maskText(t);
          expect(gated.maskText(t)).toBe(want);
          expect(r.redactText(t)).toBe(want);
          if (want !== t) expect(r.mayNeedRedaction(t)).toBe(true);
        }),
        { numRuns: 2000 },
      );
    },
  );

  it('secrets behind each gate are still masked', () => {
    const r = createRedactor();
    for (const [line, secret] of [
      ['x ghp_0123456789abcdefghijABCDEFGHIJ0123 y', 'ghp_0123456789'],
      ['xoxb-0123456789-abcdef', 'xoxb-0123456789'],
      ['key AKIAABCDEFGHIJKLMNOP', 'AKIAABCDEFGHIJKLMNOP'],
      ['DB_PassWord=hunter2', 'hunter2'],
      ['password: hunter2', 'hunter2'],
      ['P-ASSWORD=hunter2', 'hunter2'],
      ['pa.ss_word: hunter2', 'hunter2'],
      ['run --p-ass-word hunter2', 'hunter2'],
      ['{"Token":"abc123xyz"}', 'abc123xyz'],
      ['cli --Api-Key s3cr3tvalue', 's3cr3tvalue'],
      ['AUTHORIZATION: bEaReR abc.def.ghi', 'abc.def.ghi'],
      ['redis://:pw1234@host', 'pw1234'],
    ] as const) {
      const out = r.redactText(line);
      expect(out, line).not.toContain(secret);
      expect(r.mayNeedRedaction(line), line).toBe(true);
    }
  });
});
