import { tempDir } from '@pactown/test-helpers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DiedReport,
  ENTRY_FIRST_LINE,
  formatErrorFile,
  parseErrorFile,
  prepareReport,
  readErrorFile,
  writeErrorFile,
} from '../src/index.js';
import { seedReport } from './fixtures/seed-report.js';

const LOOKALIKES = [
  '--- STDERR ---',
  '--- STDOUT ---',
  '--- FILES ---',
  '--- NEW SECTION ---',
  '\\--- STDOUT ---',
  '\\\\\\--- FILES ---',
  '[... 12 bytes cut before this point ...]',
  '\\[... 12 bytes cut before this point ...]',
  '[... no newline at end ...]',
  '[... 7 more files not shown ...]',
  'Exit code: 0',
  'Exit code: none',
  'Exit code:',
  '\\Exit code: -15',
  'Service: other',
  '  - fake [auto-fixable]: suggestion',
  '',
];
const ANSI = [
  '\x1b[31m',
  '\x1b[0m',
  '\x1b[1;32m',
  '\x1b]0;title\x07',
  '\x1b]8;;http://x\x1b\\',
  '\x1b(B',
  '\x1b',
  '\x9b2J',
];

const junkBytes = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8'));
const chunk = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
  junkBytes,
  fc.constantFrom(...LOOKALIKES),
  fc.constantFrom(...ANSI),
  fc.constantFrom(
    '\n',
    '\r\n',
    '\r',
    '\t',
    '\0',
    '`',
    '```',
    '"',
    '\u2028',
    '\ud800',
    'TOKEN=abc123',
    'Bearer abcdefgh',
  ),
);
const output = fc.array(chunk, { maxLength: 30 }).map((parts) => parts.join(''));
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' x',
    '"q"',
    'a\nb',
    '\ud83d',
    'none',
    '--- STDERR ---',
    '\nExit code: 0',
    'x\r\nExit code: 1\r\n',
  ),
);

export const reportArb: fc.Arbitrary<DiedReport> = fc.record({
  serviceId: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/),
  pid: fc.option(fc.nat(), { nil: null }),
  command: anyText,
  cwd: anyText,
  envDir: fc.option(anyText, { nil: null }),
  exit: fc.record({
    code: fc.option(fc.integer({ min: -64, max: 255 }), { nil: null }),
    exitCode: fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }),
    signal: fc.option(fc.constantFrom('SIGTERM', 'SIGKILL', 'SIGSEGV', 'weird name', 'none'), { nil: null }),
    signalNumber: fc.option(fc.integer({ min: 1, max: 64 }), { nil: null }),
    description: anyText,
    forced: fc.boolean(),
    viaShell: fc.boolean(),
    message: anyText,
  }),
  message: anyText,
  category: fc.constantFrom('none', 'dependency', 'process_crash', 'unknown', 'odd category' as 'unknown'),
  suggestions: fc.array(
    fc.record(
      {
        action: anyText,
        description: anyText,
        command: fc.option(anyText, { nil: undefined }),
        autoFixable: fc.boolean(),
      },
      { requiredKeys: ['action', 'description', 'autoFixable'] },
    ),
    { maxLength: 3 },
  ),
  stderrTail: output,
  stderrDroppedBytes: fc.nat(),
  stdoutTail: output,
  stdoutDroppedBytes: fc.nat(),
  files: fc.array(anyText, { maxLength: 8 }),
  startedAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  endedAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  durationMs: fc.nat(),
});

describe('round trip', () => {
  it('parse(format(prepare(r))) gives back every prepared field', () => {
    fc.assert(
      fc.property(reportArb, fc.boolean(), (r, stripAnsi) => {
        const prepared = prepareReport(r, { stripAnsi, maxFiles: 5 });
        expect(parseErrorFile(formatErrorFile(prepared))).toEqual(prepared);
      }),
      { numRuns: 400 },
    );
  });

  it('survives a redactor that cuts surrogate pairs in two', () => {
    fc.assert(
      fc.property(reportArb, (r) => {
        const prepared = prepareReport(r, { redact: (t) => t.replace(/[\ud800-\udbff]/g, 'x') });
        expect(parseErrorFile(formatErrorFile(prepared))).toEqual(prepared);
      }),
      { numRuns: 100 },
    );
  });

  it('stores a charset escape (ESC ( B) taken out, as masking read it: no secret shape appears once it is shown', () => {
    // Found by the property below: the escape was kept (as a visible ESC), so the stored text showed
    // `(Bearer abcdefgh`, which masking had read as `earer abcdefgh`.
    const once = prepareReport({ serviceId: 'a', stdoutTail: '\x1b(Bearer abcdefgh' } as never);
    expect(once.stdoutTail).toBe('earer abcdefgh');
    expect(prepareReport(once)).toEqual(once);
  });

  it('prepare is idempotent (a parsed file prepares to itself)', () => {
    fc.assert(
      fc.property(reportArb, (r) => {
        const once = prepareReport(r);
        expect(prepareReport(once)).toEqual(once);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps an honest tail: cut bytes plus kept bytes are the whole output', () => {
    const printable = fc
      .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 50 }), fc.constant('\n')), { maxLength: 40 })
      .map((p) => p.join('').replace(/[\x00-\x1f\x7f-\x9f]/g, ''));
    fc.assert(
      fc.property(printable, fc.integer({ min: 0, max: 300 }), (text, tailBytes) => {
        const p = prepareReport(seedReport({ stderrTail: text }), { tailBytes, redact: false });
        expect(text.endsWith(p.stderrTail)).toBe(true);
        expect(p.stderrDroppedBytes + Buffer.byteLength(p.stderrTail)).toBe(Buffer.byteLength(text));
        expect(Buffer.byteLength(p.stderrTail)).toBeLessThanOrEqual(tailBytes);
      }),
      { numRuns: 300 },
    );
  });

  it('handles 1 MB lines with marker lookalikes around them', () => {
    const mb = 'x'.repeat(1 << 20);
    const text = `--- STDOUT ---\n${mb}\n[... no newline at end ...]\n${mb}`;
    const p = prepareReport(seedReport({ stderrTail: text, stdoutTail: `${mb}\n--- FILES ---\n` }));
    expect(Buffer.byteLength(p.stderrTail)).toBe(65_536);
    expect(p.stderrDroppedBytes).toBe(Buffer.byteLength(text) - 65_536);
    const written = formatErrorFile(p);
    expect(Buffer.byteLength(written)).toBeLessThanOrEqual(262_144);
    expect(parseErrorFile(written)).toEqual(p);
  });

  describe('through real files', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ path: dir, remove: cleanup } = await tempDir('ef-roundtrip-'));
    });
    afterAll(() => cleanup());

    it('writeErrorFile then readErrorFile gives back the prepared report', async () => {
      await fc.assert(
        fc.asyncProperty(reportArb, async (r) => {
          await writeErrorFile(r, { logDir: dir, history: 0 });
          expect(await readErrorFile(dir, r.serviceId)).toEqual(prepareReport(r));
        }),
        { numRuns: 60 },
      );
    });
  });
});

describe('the entry anchor a collector splits on', () => {
  it('is the first line of every file and no other line matches it, whatever the service wrote', () => {
    fc.assert(
      fc.property(reportArb, fc.boolean(), (r, stripAnsi) => {
        const lines = formatErrorFile(prepareReport(r, { stripAnsi })).split('\n');
        expect(lines[0]).toMatch(ENTRY_FIRST_LINE);
        // Not only the exact anchor: nothing else even starts like it.
        expect(lines.slice(1).filter((l) => l.startsWith('Exit code:'))).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('stores a forged header line with one more backslash and reads it back as printed', () => {
    const forged = 'Exit code: 0\nCommand: rm -rf /\n\\Exit code: 1\n';
    const prepared = prepareReport(seedReport({ stderrTail: forged, stdoutTail: 'Exit code: none' }));
    const text = formatErrorFile(prepared);
    expect(text).toContain('\n\\Exit code: 0\nCommand: rm -rf /\n\\\\Exit code: 1\n');
    expect(text.split('\n').filter((l) => ENTRY_FIRST_LINE.test(l))).toEqual(['Exit code: -15']);
    const back = parseErrorFile(text);
    expect(back.stderrTail).toBe(forged);
    expect(back.stdoutTail).toBe('Exit code: none');
    expect(back.exit.code).toBe(-15);
  });

  it('is written in a form that RE2 (the collectors) reads as JavaScript does', () => {
    // No lookaround, backreference or flag: the same source works as a Promtail/Alloy `firstline`.
    expect(ENTRY_FIRST_LINE.flags).toBe('');
    expect(ENTRY_FIRST_LINE.source).toBe('^Exit code: (?:-?[0-9]+|none)$');
  });
});

describe('line separators inside values', () => {
  it('keeps U+2028 and U+2029 in actions, descriptions, commands and the message', () => {
    for (const sep of ['\u2028', '\u2029']) {
      const r = {
        serviceId: 'sep',
        pid: null,
        command: `node a${sep}b.js`,
        cwd: '/srv',
        envDir: null,
        exit: {
          code: 1,
          exitCode: 1,
          signal: null,
          signalNumber: null,
          description: '',
          forced: false,
          viaShell: false,
          message: `Process exited with code: 1${sep}`,
        },
        message: `boom${sep}`,
        category: 'process_crash',
        suggestions: [
          { action: sep, description: sep, autoFixable: false },
          { action: `fix${sep}it`, description: `run ${sep} this`, command: `echo ${sep}`, autoFixable: true },
        ],
        stderrTail: '',
        stderrDroppedBytes: 0,
        stdoutTail: '',
        stdoutDroppedBytes: 0,
        files: [],
        startedAt: '2026-01-01T00:00:00.000Z',
        endedAt: '2026-01-01T00:00:01.000Z',
        durationMs: 1000,
      } as unknown as DiedReport;
      const prepared = prepareReport(r, { stripAnsi: false });
      const text = formatErrorFile(prepared);
      expect(text).not.toContain(sep);
      expect(parseErrorFile(text)).toEqual(prepared);
    }
  });
});
