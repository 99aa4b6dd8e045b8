// The cheap gates in front of the masking rules: each must be at least as wide as what its
// rule can change, or a secret would pass unmasked. Texts are built from the pieces the gates
// look at (token prefixes, key starts, separators, scheme words in any case) so edges are hit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineMasker, createRedactor } from '../src/index.js';
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
  // Key syntaxes: JSON, YAML, headers, flags, env with prefixes.
  '{"',
  '":',
  '"}',
  ',',
  '- ',
  'DB_',
  'pa.ss',
  '_w',
  'P-A',
  '--p-ass-word',
  'x-api-key',
  'set-cookie',
  'Proxy-',
  '.',
  '12',
  // Names of the user-added keys in the option sets below.
  'q',
  'Q',
  'ab',
  'zz',
  'top',
  'acme',
  'ID',
  'k8s',
  'MyKey',
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
    'one- and two-letter keys, a digit': { keys: ['q', 'ab', 'k8s', 'my.key'] },
    'only user keys, no header rule': { defaults: false, keys: ['ab', 'acme-id', 'Q'], disable: ['auth-header'] },
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
      ['{"db": {"Pass.Word": "hunter2"}}', 'hunter2'],
      ['  client_secret: hunter2', 'hunter2'],
      ['curl -H "X-Api-Key: s3cr3tvalue"', 's3cr3tvalue'],
      ['run -password hunter2', 'hunter2'],
      ['SENTRY_DSN=https://abc@o1.ingest', 'abc'],
    ] as const) {
      const out = r.redactText(line);
      expect(out, line).not.toContain(secret);
      expect(r.mayNeedRedaction(line), line).toBe(true);
    }
  });

  it('user-added keys are masked in every key syntax, with _ - . inside', () => {
    const r = createRedactor({ keys: ['acme-id', 'q'] });
    for (const line of [
      'ACME_ID=hunter2',
      'a.c.m.e-i_d: hunter2',
      '{"AcmeId": "hunter2"}',
      'run --acme-id hunter2',
      'Q=hunter2',
      '  q: hunter2',
    ]) {
      expect(r.redactText(line), line).not.toContain('hunter2');
      expect(r.mayNeedRedaction(line), line).toBe(true);
    }
  });
});

describe('remembered clean texts', () => {
  it('a clean text is remembered, a masked one is masked every time', () => {
    const r = createRedactor();
    for (let i = 0; i < 3; i++) {
      expect(r.redactText('Creating sandbox for service_123')).toBe('Creating sandbox for service_123');
      expect(r.redactText('token=abc123')).toBe('token=[REDACTED]');
      expect(r.mayNeedRedaction('token=abc123')).toBe(true);
    }
  });

  it('a PEM BEGIN line is never taken for clean: its state reaches the next lines', () => {
    const r = createRedactor();
    const begin = '-----BEGIN PRIVATE KEY-----';
    expect(r.redactText(begin)).toBe(begin);
    expect(r.mayNeedRedaction(begin)).toBe(true);
    const masker = createLineMasker(r);
    expect(masker.mayNeedRedaction(begin)).toBe(true);
    expect(masker.write(`${begin}\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n`)).toBe(`${begin}\n[REDACTED]\n`);
  });

  it('stays right past its bound (many different texts)', () => {
    const r = createRedactor();
    for (let i = 0; i < 3000; i++) {
      expect(r.redactText(`request ${i} done`)).toBe(`request ${i} done`);
      expect(r.redactText(`password=p${i}w`)).toBe('password=[REDACTED]');
    }
    expect(r.redactText('request 7 done')).toBe('request 7 done');
  });

  it('is not used while a rule replaces through a function (which may answer differently next time)', () => {
    let calls = 0;
    const r = createRedactor({
      rules: [{ id: 'second-time', pattern: /acme/g, replace: (m: string) => (++calls > 1 ? 'ACME' : m) }],
    });
    expect(r.redactText('acme here')).toBe('acme here');
    expect(r.redactText('acme here')).toBe('ACME here');
  });

  it('one engine per redactor: another redactor’s known values are its own', () => {
    const a = createRedactor();
    const b = a.withKnownValues(['s3cr3t-value']);
    expect(a.redactText('x s3cr3t-value y')).toBe('x s3cr3t-value y');
    expect(b.redactText('x s3cr3t-value y')).toBe('x [REDACTED] y');
  });
});
