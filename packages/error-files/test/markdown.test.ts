import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareReport, renderMarkdown, tracebackFiles } from '../src/index.js';
import { seedReport } from './fixtures/seed-report.js';

/** The content of the first fenced block after `heading`, read the way CommonMark closes fences. */
function fencedAfter(md: string, heading: string): string | undefined {
  const lines = md.split('\n');
  let i = lines.indexOf(heading);
  while (i < lines.length && !/^`{3,}/.test(lines[i]!)) i++;
  const open = /^(`{3,})/.exec(lines[i] ?? '');
  if (!open) return undefined;
  const body: string[] = [];
  for (i++; i < lines.length; i++) {
    if (new RegExp(`^ {0,3}\`{${open[1]!.length},}\\s*$`).test(lines[i]!)) return `${body.join('\n')}\n`;
    body.push(lines[i]!);
  }
  return undefined;
}

describe('renderMarkdown', () => {
  it('has the summary, the error output, the log tail, suggestions and the traceback files', () => {
    const md = renderMarkdown(seedReport({ stdoutTail: 'INFO: started\n' }));
    expect(md).toMatch(/^# Service `123` failed\n\n\*\*Process killed by SIGTERM \(exit code: -15\)\*\*/);
    expect(md).toContain('| Category | `dependency` |');
    expect(md).toContain('| Exit | -15, SIGTERM, Termination |');
    expect(fencedAfter(md, '## Error output (stderr)')).toBe(seedReport().stderrTail);
    expect(fencedAfter(md, '## Log tail (stdout)')).toBe('INFO: started\n');
    expect(md).toContain(
      "- **add\\_dependency** (auto-fixable): Add 'missing\\_module' to dependencies: `pip install missing_module`",
    );
    expect(md).toContain('## Files in the traceback\n\n- `main.py` line 5 (service file)');
  });

  it('fences cannot be broken by what they quote', () => {
    const text = fc
      .array(
        fc.oneof(
          fc.constantFrom('`', '```', '````````', '~~~', '\n', '   ```', '\n```\n'),
          fc.string({ maxLength: 10 }),
        ),
        { maxLength: 30 },
      )
      .map((p) => p.join(''));
    fc.assert(
      fc.property(text, (stderr) => {
        const expected = prepareReport(seedReport({ stderrTail: stderr })).stderrTail;
        const md = renderMarkdown(seedReport({ stderrTail: stderr }));
        if (expected === '') expect(md).toContain('## Error output (stderr)\n\n_empty_');
        else
          expect(fencedAfter(md, '## Error output (stderr)')).toBe(
            expected.endsWith('\n') ? expected : `${expected}\n`,
          );
      }),
      { numRuns: 300 },
    );
  });

  it('keeps table cells whole when values hold pipes, backticks and newlines', () => {
    const md = renderMarkdown(seedReport({ command: 'grep `x` | wc -l\nrm', serviceId: 'a' }));
    const row = md.split('\n').find((l) => l.startsWith('| Command |'))!;
    expect(row).toBe('| Command | ``grep `x` \\| wc -l rm`` |');
  });

  it('redacts like the file does', () => {
    const md = renderMarkdown(seedReport({ stderrTail: 'DB_PASSWORD=hunter2\n' }));
    expect(md).not.toContain('hunter2');
  });
});

describe('tracebackFiles', () => {
  it('finds Python and Node frames in order, once each', () => {
    const stderr = [
      'Traceback (most recent call last):',
      '  File "/srv/app/main.py", line 12, in <module>',
      '  File "/srv/app/.venv/lib/python3.12/site-packages/uvicorn/main.py", line 4, in run',
      '  File "/srv/app/main.py", line 12, in <module>',
      'Error: boom',
      '    at start (/srv/app/server.js:10:5)',
      '    at node:internal/main:1:1',
      '    at /srv/app/lib/util.mjs:3:14',
    ].join('\n');
    expect(tracebackFiles(stderr)).toEqual([
      { file: '/srv/app/main.py', line: 12 },
      { file: '/srv/app/.venv/lib/python3.12/site-packages/uvicorn/main.py', line: 4 },
      { file: '/srv/app/server.js', line: 10 },
      { file: '/srv/app/lib/util.mjs', line: 3 },
    ]);
  });
});
