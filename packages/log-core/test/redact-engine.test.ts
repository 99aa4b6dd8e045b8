import { ALL_SECRETS, CLEAN_LINES, corpusText, ENV_SECRETS, SECRET_SHAPES } from '@pactown/secret-corpus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collectSecretValues,
  createLineMasker,
  createRedactor,
  DEFAULT_RULES,
  getLogger,
  jsonFormatter,
  patternFormatter,
  prettyFormatter,
} from '../src/index.js';
import { collector, uniqueName } from './helpers.js';

const env = Object.fromEntries(ENV_SECRETS.map((e) => [e.name, e.value]));
const redactor = createRedactor({ knownValues: collectSecretValues(env, createRedactor()) });

describe('the secret corpus', () => {
  it('has at least 40 shapes and 200 clean lines', () => {
    expect(SECRET_SHAPES.length).toBeGreaterThanOrEqual(40);
    expect(CLEAN_LINES.length).toBeGreaterThanOrEqual(200);
  });

  it.each(SECRET_SHAPES.map((s) => [s.id, s] as const))('masks %s', (_id, shape) => {
    const out = redactor.redactText(shape.text);
    for (const secret of shape.secrets) expect(out, out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
  });

  it('masks the values of secret-named variables with no syntax around them', () => {
    for (const e of ENV_SECRETS) expect(redactor.redactText(e.line)).not.toContain(e.value);
    expect(
      collectSecretValues({
        PATH: '/bin',
        PWD: '/srv',
        DB_PASSWORD: 'abcd1234',
        AUTH: 'zz',
        GITHUB_TOKEN: 'gh-abc-123',
      }),
    ).toEqual(['abcd1234', 'gh-abc-123']);
  });

  it.each(CLEAN_LINES.map((l) => [l] as const))('keeps %s', (line) => {
    expect(redactor.redactText(line)).toBe(line);
  });

  it('leaves nothing of the whole corpus, as one text and streamed in small chunks', () => {
    const text = corpusText();
    const masker = createLineMasker(redactor);
    let streamed = '';
    for (let i = 0; i < text.length; i += 7) streamed += masker.write(text.slice(i, i + 7));
    streamed += masker.end();
    const whole = redactor.redactText(text);
    expect(streamed).toBe(whole);
    for (const secret of ALL_SECRETS) expect(whole).not.toContain(secret);
  });

  it('reaches every formatter through a logger: message, fields and error', () => {
    const { handler, records } = collector();
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    for (const shape of SECRET_SHAPES) {
      log.info({ line: shape.text, nested: { text: shape.text } }, shape.text);
      log.error(new Error(shape.text));
    }
    const out = records
      .flatMap((r) => [patternFormatter()(r), jsonFormatter()(r), prettyFormatter({ colorize: false })(r)])
      .join('\n');
    for (const secret of SECRET_SHAPES.flatMap((s) => s.secrets)) {
      // A JSON formatter escapes newlines: look for the escaped PEM line too.
      expect(out).not.toContain(secret);
    }
  });
});

describe('rules API', () => {
  it('lists every default rule with an id and description', () => {
    expect(DEFAULT_RULES.length).toBeGreaterThan(10);
    expect(Object.isFrozen(DEFAULT_RULES)).toBe(true);
    for (const rule of DEFAULT_RULES) expect(rule.description.length).toBeGreaterThan(10);
  });

  it('turns a default off by id, and adds a rule with a prefilter', () => {
    const off = createRedactor({ disable: ['github-token', 'url-password'] });
    const token = SECRET_SHAPES.find((s) => s.id === 'github-ghp')!;
    expect(off.redactText(token.text)).toBe(token.text);
    expect(off.redactText('redis://:pw@host')).toBe('redis://:pw@host');
    expect(off.redactText('PASSWORD=x')).toBe('PASSWORD=[REDACTED]');
    const added = createRedactor({ rules: [{ id: 'acme', pattern: /acme_[a-z0-9]{8}/, prefilter: ['acme_'] }] });
    expect(added.redactText('key acme_abcd1234 here')).toBe('key [REDACTED] here');
    expect(added.mayNeedRedaction('nothing\nhere')).toBe(false);
    expect(added.mayNeedRedaction('x\nacme_abcd1234')).toBe(true);
    const replaced = createRedactor({
      rules: [{ id: 'mail', pattern: /([a-z]+)@corp\.example/, replace: '$1@[hidden]' }],
    });
    expect(replaced.redactText('to bob@corp.example')).toBe('to bob@[hidden]');
  });

  it('rejects an unknown rule id and a malformed rule', () => {
    expect(() => createRedactor({ disable: ['no-such-rule'] })).toThrow(TypeError);
    expect(() => createRedactor({ rules: [{ id: 'x' } as never] })).toThrow(TypeError);
  });

  it('masks Token credentials with a digit, keeps the scheme word, and stops values at control pictures', () => {
    expect(redactor.redactText('sent Token abc123def to the API')).toBe('sent Token [REDACTED] to the API');
    expect(redactor.redactText('Token expired, refreshing')).toBe('Token expired, refreshing');
    expect(redactor.redactText('PASSWORD=hunter2\u240aNEXT=1')).toBe('PASSWORD=[REDACTED]\u240aNEXT=1');
    expect(redactor.redactText('Authorization: Bearer abc\u240anext line')).toBe(
      'Authorization: Bearer [REDACTED]\u240anext line',
    );
  });

  it('extend() appends rules and known values to a redactor', () => {
    const base = createRedactor();
    const more = base.extend({ patterns: [/corp-[0-9]{4}/], knownValues: ['plain-known'] });
    expect(more.redactText('corp-1234 plain-known PASSWORD=x')).toBe('[REDACTED] [REDACTED] PASSWORD=[REDACTED]');
    expect(base.redactText('corp-1234')).toBe('corp-1234');
  });

  it('withKnownValues adds values to a redactor with the same settings', () => {
    const base = createRedactor({ censor: '***' });
    const run = base.withKnownValues(['run-only-value', 'abc']);
    expect(run.redactText('got run-only-value, abc')).toBe('got ***, abc');
    expect(base.redactText('got run-only-value')).toBe('got run-only-value');
  });
});

describe('PEM blocks', () => {
  const pem = SECRET_SHAPES.find((s) => s.id === 'pem-rsa')!.text;

  it('masks every body line and keeps the BEGIN and END lines', () => {
    const lines = redactor.redactText(`before\n${pem}\nafter TOKEN=x`).split('\n');
    expect(lines[0]).toBe('before');
    expect(lines[1]).toBe('-----BEGIN RSA PRIVATE KEY-----');
    expect(lines.slice(2, -2).every((l) => l === '[REDACTED]')).toBe(true);
    expect(lines.at(-2)).toBe('-----END RSA PRIVATE KEY-----');
    expect(lines.at(-1)).toBe('after TOKEN=[REDACTED]');
  });

  it('keeps the block open across line() calls until its END line', () => {
    const masker = createLineMasker(redactor);
    const lines = pem.split('\n');
    expect(masker.line(lines[0]!)).toBe(lines[0]);
    expect(masker.inBlock).toBe(true);
    expect(masker.mayNeedRedaction('plain words')).toBe(true);
    expect(masker.line(lines[1]!)).toBe('[REDACTED]');
    for (const l of lines.slice(2)) masker.line(l);
    expect(masker.inBlock).toBe(false);
    expect(masker.line('plain words')).toBe('plain words');
  });
});

describe('redaction properties', () => {
  const secretText = fc.constantFrom(...SECRET_SHAPES.map((s) => s.text), ...ENV_SECRETS.map((e) => e.line));
  const cleanText = fc.constantFrom(...CLEAN_LINES);
  const text = fc
    .array(fc.oneof(secretText, cleanText, fc.string({ maxLength: 20 })), { minLength: 1, maxLength: 8 })
    .map((parts) => parts.join('\n'));

  it('is idempotent', () => {
    fc.assert(
      fc.property(text, (t) => {
        const once = redactor.redactText(t);
        expect(redactor.redactText(once)).toBe(once);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same text for any chunking of a stream', () => {
    fc.assert(
      fc.property(text, fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (t, sizes) => {
        const masker = createLineMasker(redactor);
        let out = '';
        let at = 0;
        for (let i = 0; at < t.length; i++) {
          const n = sizes[i % sizes.length]!;
          out += masker.write(t.slice(at, at + n));
          at += n;
        }
        out += masker.end();
        expect(out).toBe(redactor.redactText(t));
      }),
      { numRuns: 300 },
    );
  });

  it('changes nothing outside a match: clean lines around a secret stay as they are', () => {
    fc.assert(
      fc.property(cleanText, secretText, cleanText, (before, secret, after) => {
        const out = redactor.redactText(`${before}\n${secret}\n${after}`);
        expect(out.startsWith(`${before}\n`)).toBe(true);
        expect(out.endsWith(`\n${after}`)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('changes nothing outside a match inside a line: text around a masked token survives', () => {
    const word = fc.stringMatching(/^[a-z]{1,12}$/);
    const tokens = SECRET_SHAPES.filter(
      (s) => s.kind === 'token' && !s.text.includes('://') && !s.text.includes('='),
    ).map((s) => s.secrets[0]!);
    fc.assert(
      fc.property(word, fc.constantFrom(...tokens), word, (a, token, b) => {
        const out = redactor.redactText(`${a} ${token} ${b}`);
        expect(out.startsWith(`${a} `)).toBe(true);
        expect(out.endsWith(` ${b}`)).toBe(true);
        expect(out).not.toContain(token);
      }),
      { numRuns: 300 },
    );
  });

  it('mayNeedRedaction is never false for a block holding a line that masking changes', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(secretText, cleanText), { minLength: 1, maxLength: 6 }), (lines) => {
        const block = lines.join('\n');
        if (redactor.redactText(block) !== block) expect(redactor.mayNeedRedaction(block)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('terminal escape sequences', () => {
  // Complete sequences a coloured program prints: SGR colours, erase line, a window title, a charset switch.
  const SEQUENCES = [
    '\x1b[31m',
    '\x1b[0m',
    '\x1b[1;39m',
    '\x1b[38;5;208m',
    '\x1b[2K',
    '\x1b]0;t\x07',
    '\x1b(B',
    '\x1b[m',
  ];
  // What a terminal shows, for the checks (CSI, OSC to BEL/ST, other escapes): independent of the engine's own.
  const strip = (text: string) =>
    text.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]/g, '');
  const sequencesOf = (text: string) =>
    text.match(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]/g) ?? [];
  /** A line with sequences put in at any places (never inside a sequence already there). */
  const coloured = (line: fc.Arbitrary<string>) =>
    fc
      .tuple(line, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...SEQUENCES)), { maxLength: 6 }))
      .map(([text, inserts]) => {
        const taken = [...text.matchAll(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]/g)];
        const inside = (i: number) => taken.some((m) => i > m.index! && i < m.index! + m[0].length);
        const places = inserts
          .map(([n, seq]) => [n % (text.length + 1), seq] as const)
          .filter(([i]) => !inside(i))
          .sort((a, b) => b[0] - a[0]);
        let out = text;
        for (const [i, seq] of places) out = out.slice(0, i) + seq + out.slice(i);
        return out;
      });
  const plainLines = SECRET_SHAPES.filter((s) => s.kind !== 'ansi');

  it('masks a key or value that colour codes split, keeping the codes outside the secret', () => {
    expect(redactor.redactText('\x1b[31mpassword\x1b[0m=hunter2')).toBe('\x1b[31mpassword\x1b[0m=[REDACTED]');
    expect(redactor.redactText('\x1b[1mAuthorization:\x1b[0m Bearer abcdefgh')).toBe(
      '\x1b[1mAuthorization:\x1b[0m Bearer [REDACTED]',
    );
    expect(redactor.redactText('password=\x1b[31mhunter2\x1b[0m ok')).toBe('password=\x1b[31m[REDACTED]\x1b[0m ok');
    // A code inside the value follows the censor, so the colour after it is as it was.
    expect(redactor.redactText('token=ab\x1b[1mcd\x1b[0m next')).toBe('token=[REDACTED]\x1b[1m\x1b[0m next');
    // The text a title or hyperlink carries is masked on its own.
    expect(redactor.redactText('\x1b]0;PASSWORD=t1tle\x07shown')).toBe('\x1b]0;PASSWORD=[REDACTED]\x07shown');
    // What is left of a cut sequence is shown text, masked like any other.
    expect(redactor.redactText('\x1b]0;title password=hunter2')).toBe('\x1b]0;title password=[REDACTED]');
    expect(redactor.redactText('\x1b[12\x1bPASSWORD=hunter2')).toBe('\x1b[12\x1bPASSWORD=[REDACTED]');
    expect(redactor.mayNeedRedaction('\x1b[31mpassword\x1b[0m=hunter2')).toBe(true);
    expect(redactor.mayNeedRedaction('\x1b[32mINFO\x1b[0m started\n\x1b]0;build\x07')).toBe(false);
  });

  it('masks a long coloured line with many secrets (past the diff limit, codes go after the changed middle)', () => {
    const line = Array.from({ length: 60 }, (_, i) => `\x1b[1mtoken\x1b[0m=\x1b[33msecret${i}value\x1b[0m`).join(' ');
    const out = redactor.redactText(line);
    expect(strip(out)).toBe(redactor.redactText(strip(line)));
    expect(out).not.toMatch(/secret\d+value/);
    expect(sequencesOf(out)).toEqual(sequencesOf(line));
    expect(out.startsWith('\x1b[1mtoken\x1b[0m=\x1b[33m[REDACTED]')).toBe(true);
  });

  it('never leaves a secret in what a terminal shows, wherever codes are put in', () => {
    fc.assert(
      fc.property(coloured(fc.constantFrom(...plainLines.map((s) => s.text))), (line) => {
        const out = redactor.redactText(line);
        const shown = strip(out);
        const shape = plainLines.find((s) => s.text === strip(line))!;
        for (const secret of shape.secrets) expect(shown).not.toContain(secret);
        // What is shown is exactly the masked plain line.
        expect(shown).toBe(redactor.redactText(shape.text));
      }),
      { numRuns: 400 },
    );
  });

  it('keeps every code, in order, and a coloured clean line as it is', () => {
    fc.assert(
      fc.property(coloured(fc.constantFrom(...SECRET_SHAPES.map((s) => s.text), ...CLEAN_LINES)), (line) => {
        const out = redactor.redactText(line);
        // Titles may be masked inside; every other sequence comes out unchanged.
        const kept = (list: string[]) => list.map((q) => (q.startsWith('\x1b]') ? '\x1b]' : q));
        expect(kept(sequencesOf(out))).toEqual(kept(sequencesOf(line)));
        if (redactor.redactText(strip(line)) === strip(line) && !line.includes('\x1b]')) expect(out).toBe(line);
      }),
      { numRuns: 400 },
    );
  });

  it('is idempotent and chunking-independent on coloured text', () => {
    const text = fc
      .array(coloured(fc.constantFrom(...SECRET_SHAPES.map((s) => s.text), ...CLEAN_LINES)), {
        minLength: 1,
        maxLength: 6,
      })
      .map((l) => l.join('\n'));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 17 }), (t, size) => {
        const once = redactor.redactText(t);
        expect(redactor.redactText(once)).toBe(once);
        const masker = createLineMasker(redactor);
        let streamed = '';
        for (let i = 0; i < t.length; i += size) streamed += masker.write(t.slice(i, i + size));
        expect(streamed + masker.end()).toBe(once);
        if (once !== t) expect(redactor.mayNeedRedaction(t)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('escaping of line-breaking and bidi characters', () => {
  const nasty = [
    '\u2028',
    '\u2029',
    '\u0085',
    '\v',
    '\f',
    '\u202a',
    '\u202b',
    '\u202c',
    '\u202d',
    '\u202e',
    '\u2066',
    '\u2067',
    '\u2068',
    '\u2069',
  ];

  it('every text formatter escapes them in the message, fields and logger name', () => {
    const { handler, records } = collector();
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    for (const c of nasty) log.info({ field: `a${c}b`, [`k${c}`]: 1 }, `before${c}after`);
    for (const r of records) {
      for (const out of [
        patternFormatter('%(message)s %(field)s')(r),
        jsonFormatter()(r),
        prettyFormatter({ colorize: false })(r),
      ]) {
        for (const c of nasty) expect(out.includes(c), JSON.stringify(out)).toBe(false);
      }
      expect(JSON.parse(jsonFormatter()(r)).message).toBe(r.message);
    }
  });
});
