import { describe, expect, it } from 'vitest';
import { formatErrorFile, parseErrorFile, prepareReport } from '../src/index.js';
import { SEED_FILE, seedReport } from './fixtures/seed-report.js';

const ADDED_KEYS = [
  'Signal',
  'Exit status',
  'Message',
  'Exit message',
  'Category',
  'Service',
  'PID',
  'Started',
  'Ended',
  'Duration',
  'Suggestions',
];

function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name = 'HEADER';
  let lines: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^--- ([A-Z]+) ---$/.exec(line);
    if (m) {
      out.set(name, lines.join('\n'));
      name = m[1]!;
      lines = [];
    } else lines.push(line);
  }
  out.set(name, lines.join('\n'));
  return out;
}

describe('the seed example', () => {
  const text = formatErrorFile(prepareReport(seedReport()));

  it('has the seed sections, in the seed order, with the same content', () => {
    const ours = sections(text);
    const seed = sections(SEED_FILE);
    expect([...ours.keys()]).toEqual(['HEADER', 'STDERR', 'STDOUT', 'FILES']);
    expect([...seed.keys()]).toEqual([...ours.keys()]);
    for (const name of ['STDERR', 'STDOUT', 'FILES']) expect(ours.get(name), name).toBe(seed.get(name));
  });

  it("starts with the seed's header lines, in order; added lines come after them", () => {
    const ourHead = text.split('\n');
    const seedHead = SEED_FILE.split('\n').slice(0, 4);
    expect(ourHead.slice(0, 4)).toEqual(seedHead);
    expect(ourHead[4]).toMatch(/^Signal: SIGTERM 15 - Termination$/);
  });

  it('is byte for byte the seed file once the added lines are taken out', () => {
    const cut = text.indexOf('\n\n');
    const head = text.slice(0, cut).split('\n');
    const kept = head.filter((line) => !ADDED_KEYS.some((k) => line.startsWith(`${k}:`)) && !line.startsWith('  '));
    expect(kept.join('\n') + text.slice(cut)).toBe(SEED_FILE);
  });

  it('greps like the original', () => {
    expect(text).toMatch(/^Exit code: -15$/m);
    expect(text).toMatch(/^--- STDERR ---$/m);
    expect(text).toMatch(/^ModuleNotFoundError: No module named 'missing_module'$/m);
  });

  it('parses the original (no added lines) file', () => {
    const r = parseErrorFile(SEED_FILE);
    expect(r.format).toBe('legacy');
    expect(r.exit).toMatchObject({ code: -15, signal: 'SIGTERM', signalNumber: 15, exitCode: null });
    expect(r.message).toBe('Process killed by SIGTERM (exit code: -15)');
    expect(r.command).toBe('uvicorn main:app --host 0.0.0.0 --port 8001');
    expect(r.cwd).toBe('/tmp/pactown-sandboxes/service_123');
    expect(r.envDir).toBe('/tmp/pactown-sandboxes/service_123/.venv');
    expect(r.stderrTail).toBe(seedReport().stderrTail);
    expect(r.stdoutTail).toBe('');
    expect(r.files).toEqual(['main.py', 'requirements.txt', '.venv']);
  });

  it('parses an original file with extra blank lines, no Venv and a positive code', () => {
    const legacy =
      "Exit code: 1\nCommand: python main.py\nCWD: /srv/x\nVenv: None\n\n--- STDERR ---\nboom\n\n\n--- STDOUT ---\nhello\n\n--- FILES ---\n[\"it's.py\", 'b\\\\c']\n";
    const r = parseErrorFile(legacy);
    expect(r).toMatchObject({ envDir: null, stderrTail: 'boom\n', stdoutTail: 'hello\n', files: ["it's.py", 'b\\c'] });
    expect(r.exit).toMatchObject({ code: 1, exitCode: 1, signal: null });
    expect(r.message).toBe('Process exited with code: 1');
  });
});

describe('structure that output cannot forge', () => {
  const tricky = [
    '--- STDOUT ---',
    '\\--- FILES ---',
    '\\\\--- STDERR ---',
    '[... 99 bytes cut before this point ...]',
    '[... no newline at end ...]',
    '[... 3 more files not shown ...]',
    'Exit code: 0',
    'Service: evil',
    '',
  ].join('\n');

  it('keeps marker-like lines inside their section and gives them back exactly', () => {
    const p = prepareReport(seedReport({ stderrTail: tricky, stdoutTail: `${tricky}\nend` }));
    const text = formatErrorFile(p);
    expect(text.match(/^--- STDOUT ---$/gm)).toHaveLength(1);
    expect(text).toContain('\n\\--- STDOUT ---\n');
    const back = parseErrorFile(text);
    expect(back.stderrTail).toBe(tricky);
    expect(back.stdoutTail).toBe(`${tricky}\nend`);
    expect(back.serviceId).toBe('123');
    expect(back.exit.code).toBe(-15);
  });

  it('marks text without a final newline', () => {
    const text = formatErrorFile(prepareReport(seedReport({ stderrTail: 'partial line' })));
    expect(text).toContain('--- STDERR ---\npartial line\n[... no newline at end ...]\n\n--- STDOUT ---');
    expect(parseErrorFile(text).stderrTail).toBe('partial line');
  });

  it("writes category 'none' plainly and keeps a signal called none apart from no signal", () => {
    const base = seedReport();
    const text = formatErrorFile(
      prepareReport(seedReport({ category: 'none', exit: { ...base.exit, signal: 'none' } })),
    );
    expect(text).toContain('\nCategory: none\n');
    expect(text).toContain('\nSignal: "none" 15 - Termination\n');
    expect(parseErrorFile(text)).toMatchObject({ category: 'none', exit: { signal: 'none' } });
    const noSignal = formatErrorFile(
      prepareReport(
        seedReport({ exit: { ...base.exit, signal: null, signalNumber: null, description: 'Exited normally' } }),
      ),
    );
    expect(noSignal).toContain('\nSignal: none - Exited normally\n');
    expect(parseErrorFile(noSignal).exit.signal).toBeNull();
  });

  it('writes odd header values as JSON strings and reads them back', () => {
    const odd = seedReport({ command: 'sh -c "a\nb"  ', cwd: '"quoted"', message: '', envDir: ' spaced' });
    const text = formatErrorFile(prepareReport(odd));
    expect(text).toContain('Command: "sh -c \\"a\\nb\\"  "');
    const back = parseErrorFile(text);
    expect(back).toMatchObject({ command: odd.command, cwd: odd.cwd, message: '', envDir: ' spaced' });
  });
});
