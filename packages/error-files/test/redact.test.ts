import { readFile } from 'node:fs/promises';
import { configure, createLineMasker, getRedactor } from '@pactown/log-core';
import { ALL_SECRETS, corpusText, SECRET_SHAPES } from '@pactown/secret-corpus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatErrorFile, parseErrorFile, prepareReport, renderMarkdown, writeErrorFile } from '../src/index.js';
import { seedReport } from './fixtures/seed-report.js';
import { tempDir } from '@pactown/test-helpers';

const stderrOf = (text: string) => prepareReport(seedReport({ stderrTail: `${text}\n` })).stderrTail.slice(0, -1);

describe('secret keys', () => {
  it.each([
    ['secretKey: v4lue', 'secretKey: [REDACTED]'],
    ['passwordHash: v4lue', 'passwordHash: [REDACTED]'],
    ['tokenValue: v4lue', 'tokenValue: [REDACTED]'],
    ['apiKeyId: v4lue', 'apiKeyId: [REDACTED]'],
    ['accessKeyId: v4lue', 'accessKeyId: [REDACTED]'],
    ['privateKeyPem: v4lue', 'privateKeyPem: [REDACTED]'],
    ['credentialsJson: v4lue', 'credentialsJson: [REDACTED]'],
    ['authHeader: v4lue', 'authHeader: [REDACTED]'],
    ['authorizationValue: v4lue', 'authorizationValue: [REDACTED]'],
    ['sessionIdValue: v4lue', 'sessionIdValue: [REDACTED]'],
    ['cookieValue: v4lue', 'cookieValue: [REDACTED]'],
    ['dsnUrl: v4lue', 'dsnUrl: [REDACTED]'],
    ['"secretKey": "v4lue"', '"secretKey": "[REDACTED]"'],
    ["{'passwordHash': 'v4lue'}", "{'passwordHash': '[REDACTED]'}"],
    ['SecretKey=v4lue', 'SecretKey=[REDACTED]'],
    ['--pwdFile: v4lue', '--pwdFile: [REDACTED]'],
  ])('masks a camelCase suffix: %s', (input, expected) => {
    expect(stderrOf(input)).toBe(expected);
  });

  it.each([
    ['dbPassword: v4lue', 'dbPassword: [REDACTED]'],
    ['githubToken: v4lue', 'githubToken: [REDACTED]'],
    ['userApiKey: v4lue', 'userApiKey: [REDACTED]'],
    ['awsAccessKey: v4lue', 'awsAccessKey: [REDACTED]'],
    ['stripeSecretKey: v4lue', 'stripeSecretKey: [REDACTED]'],
    ['"dbPasswordHash": "v4lue"', '"dbPasswordHash": "[REDACTED]"'],
    ['DB_PASSWORD=v4lue', 'DB_PASSWORD=[REDACTED]'],
    ['SECRET_KEY=v4lue', 'SECRET_KEY=[REDACTED]'],
    ['x-auth-token: v4lue', 'x-auth-token: [REDACTED]'],
  ])('masks a camelCase or separated prefix: %s', (input, expected) => {
    expect(stderrOf(input)).toBe(expected);
  });

  it.each([
    'author: Jane',
    'AUTHOR=Jane',
    'authenticated: true',
    'tokenizer: gpt2',
    'secretary: Bob',
    'Tokenizer: bpe',
    'dsname: x',
  ])('leaves a word that only starts like a secret: %s', (input) => {
    expect(stderrOf(input)).toBe(input);
  });

  it('masks a whole scheme credential after a secret key and keeps the key case', () => {
    expect(stderrOf('authHeader: Bearer abcdefgh123')).toBe('authHeader: [REDACTED]');
    expect(stderrOf('Authorization: Bearer abcdefgh123')).toMatch(/^Authorization: (Bearer )?\[REDACTED\]$/);
    expect(stderrOf('PASSWORD=x token: y')).toBe('PASSWORD=[REDACTED] token: [REDACTED]');
  });

  it('masks a key that terminal colours split (the engine reads what a terminal shows)', () => {
    expect(stderrOf('\x1b[31mpassword\x1b[0m=hunter2')).toBe('password=[REDACTED]');
    expect(stderrOf('\x1b[1mDB_PASSWORD\x1b[0m: hunter2')).toBe('DB_PASSWORD: [REDACTED]');
  });

  it("is log-core's engine alone: what it masks in a line is what the file holds", async () => {
    const { createRedactor } = await import('@pactown/log-core');
    const engine = createRedactor();
    const lines = [
      'DB_PASSWORD=v4lue',
      'token: abc',
      'postgres://app:pw@db/app',
      'redis://:pw@cache:6379',
      `ghp_${'a1B2'.repeat(9)}`,
      'plain text',
      'x-api-key: k3y',
    ];
    for (const line of lines) expect(stderrOf(line), line).toBe(engine.redactText(line));
  });
});

describe('FILES names', () => {
  const files = [
    'main.py',
    '\x1b[31mred.py\x1b[0m',
    'bell\x07name\r.py',
    'new\nline\tname.py',
    'token=abc123',
    'AKIAABCDEFGHIJKLMNOP.pem',
    'plain.txt',
  ];
  const cleaned = [
    'main.py',
    'red.py',
    'bell\u2407name\u240d.py',
    'new\u240aline\u2409name.py',
    'token=[REDACTED]',
    '[REDACTED].pem',
    'plain.txt',
  ];

  it('are stripped of ANSI codes, controls shown as pictures, and redacted', () => {
    const p = prepareReport(seedReport({ files }));
    expect(p.files).toEqual(cleaned);
    expect(parseErrorFile(formatErrorFile(p))).toEqual(p);
    expect(prepareReport(p)).toEqual(p);
  });

  it('in the written file and in Markdown', async () => {
    const { path: dir, remove: cleanup } = await tempDir('ef-redact-');
    try {
      const text = await readFile(await writeErrorFile(seedReport({ files }), { logDir: dir }), 'utf8');
      const section = text.slice(text.indexOf('--- FILES ---'));
      for (const bad of ['\\x1b', '\\x07', '\\r', '\\n', '\\t', 'abc123', 'AKIA']) expect(section).not.toContain(bad);
      expect(parseErrorFile(text).files).toEqual(cleaned);
      const md = renderMarkdown(seedReport({ files }));
      for (const bad of ['\x1b', '\x07', 'abc123', 'AKIA']) expect(md).not.toContain(bad);
    } finally {
      await cleanup();
    }
  });

  it('follow the options: stripAnsi: false keeps ESC, redact: false keeps secrets', () => {
    expect(prepareReport(seedReport({ files }), { stripAnsi: false }).files[1]).toBe('\x1b[31mred.py\x1b[0m');
    expect(prepareReport(seedReport({ files }), { redact: false }).files).toEqual([
      ...cleaned.slice(0, 4),
      'token=abc123',
      'AKIAABCDEFGHIJKLMNOP.pem',
      'plain.txt',
    ]);
    expect(prepareReport(seedReport({ files }), { redact: (t) => t.replace('plain', 'PLAIN') }).files[6]).toBe(
      'PLAIN.txt',
    );
  });

  it('are counted the same: names beyond maxFiles are omitted, not cleaned', () => {
    const p = prepareReport(seedReport({ files }), { maxFiles: 2 });
    expect(p.files).toEqual(cleaned.slice(0, 2));
    expect(p.filesOmitted).toBe(5);
  });
});

describe('masking once', () => {
  /** What sandbox hands over: each captured line masked where it entered (a line masker per stream), the command too. */
  const producerMasked = (r: ReturnType<typeof seedReport>) => {
    const stream = (text: string) => {
      const masker = createLineMasker(getRedactor());
      return masker.write(text) + masker.end();
    };
    const text = (t: string) => getRedactor().redactText(t);
    return {
      ...r,
      command: text(r.command),
      message: text(r.message),
      stderrTail: stream(r.stderrTail),
      stdoutTail: stream(r.stdoutTail),
      files: r.files.map(text),
      suggestions: r.suggestions.map((s) => ({ ...s, description: text(s.description) })),
    };
  };
  const shape = fc.constantFrom(...SECRET_SHAPES.map((s) => s.text));
  const report = fc
    .record({
      stderr: fc.array(shape, { minLength: 1, maxLength: 6 }),
      stdout: fc.array(shape, { maxLength: 3 }),
      command: shape,
      file: shape,
    })
    .map(({ stderr, stdout, command, file }) =>
      seedReport({
        command: `run ${command.split('\n')[0]}`,
        stderrTail: `${stderr.join('\n')}\n`,
        stdoutTail: stdout.length > 0 ? `${stdout.join('\n')}\n` : '',
        files: ['main.py', file.split('\n')[0]!],
      }),
    );

  it('a report its producer masked, written with redact: false, is the file a raw one gives with redact: true', () => {
    fc.assert(
      fc.property(report, (raw) => {
        const once = prepareReport(producerMasked(raw), { redact: false });
        expect(once).toEqual(prepareReport(raw));
        const text = formatErrorFile(once);
        for (const secret of ALL_SECRETS) expect(text).not.toContain(secret);
      }),
      { numRuns: 150 },
    );
  });

  it('the whole corpus, coloured shapes included, leaves no secret in a file written from the raw text', () => {
    const p = prepareReport(seedReport({ stderrTail: corpusText(), stdoutTail: corpusText() }));
    const text = formatErrorFile(p);
    for (const secret of SECRET_SHAPES.flatMap((s) => s.secrets)) expect(text).not.toContain(secret);
    expect(text).not.toContain('\x1b');
  });

  it('renderMarkdown does not mask a parsed error file again, and masks a died report', () => {
    try {
      const written = formatErrorFile(prepareReport(seedReport({ stderrTail: 'code XYZ-1\n' }), { redact: false }));
      configure({ redact: { patterns: [/XYZ-\d/] } });
      expect(renderMarkdown(parseErrorFile(written))).toContain('code XYZ-1');
      expect(renderMarkdown(parseErrorFile(written), { redact: true })).toContain('code [REDACTED]');
      expect(renderMarkdown(seedReport({ stderrTail: 'code XYZ-1\n' }))).toContain('code [REDACTED]');
    } finally {
      configure({});
    }
  });
});
