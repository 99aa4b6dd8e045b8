import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMarkpact } from '../../src/spec/markpact.js';
import { loadService } from '../../src/spec/validate.js';
import { checkRelativePath } from '../../src/workspace/paths.js';

const segment = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,11}$/);
const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
const line = fc.string({ maxLength: 40 }).filter((l) => !/[\r\n]/.test(l));
const content = fc.array(line, { maxLength: 6 }).map((lines) => lines.map((l) => `${l}\n`).join(''));
const dep = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}(==[0-9]\.[0-9])?$/);

function longestBacktickRun(text: string): number {
  return Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
}

function render(files: Array<{ path: string; content: string }>, deps: string[], run: string): string {
  const parts = ['# Service', '', '```python markpact:deps', ...deps, '```', ''];
  for (const f of files) {
    const fence = '`'.repeat(Math.max(3, longestBacktickRun(f.content) + 1));
    parts.push(`${fence}text markpact:file path=${f.path}`, `${f.content}${fence}`, 'Some prose.');
  }
  parts.push('```bash markpact:run', run, '```');
  return parts.join('\n');
}

describe('markpact properties', () => {
  it('round-trips any set of files, dependencies and a run command', () => {
    const files = fc.uniqueArray(fc.record({ path, content }), { selector: (f) => f.path, maxLength: 5 });
    fc.assert(
      fc.property(files, fc.array(dep, { maxLength: 5 }), (fs, deps) => {
        const { spec } = parseMarkpact(render(fs, deps, 'python main.py'));
        expect(spec.files).toEqual(fs);
        expect(spec.deps).toEqual(deps);
        expect(spec.run).toBe('python main.py');
      }),
    );
  });

  it('never throws, whatever the input', () => {
    const markdownish = fc.array(
      fc.oneof(
        fc.constant('```'),
        fc.constant('```python markpact:file path=a.py'),
        fc.constant('~~~ markpact:run'),
        fc.string(),
      ),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(markdownish, (lines) => {
        const { problems } = loadService(lines.join('\n'));
        expect(Array.isArray(problems)).toBe(true);
      }),
    );
  });

  it('a path that passes the check stays inside the sandbox', () => {
    const tricky = fc.array(
      fc.oneof(fc.constantFrom('..', '.', '', '/', '\\', 'a', '.venv', '~', 'C:'), fc.string({ maxLength: 5 })),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(tricky, (parts) => {
        const result = checkRelativePath(parts.join('/'));
        if ('path' in result) {
          expect(result.path.startsWith('/')).toBe(false);
          expect(result.path.split('/')).not.toContain('..');
          expect(result.path.split('/')).not.toContain('');
          expect(result.path.includes('\\')).toBe(false);
        }
      }),
    );
  });
});
