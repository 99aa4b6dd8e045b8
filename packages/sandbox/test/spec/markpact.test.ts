import { describe, expect, it } from 'vitest';
import { parseMarkpact } from '../../src/spec/markpact.js';
import { loadService } from '../../src/spec/validate.js';

const SEED = [
  '# My API',
  '',
  '```python markpact:deps',
  'fastapi',
  'uvicorn  # the server',
  '```',
  '',
  '```python markpact:file path=main.py',
  'from fastapi import FastAPI',
  'app = FastAPI()',
  '```',
  '',
  '```bash markpact:run',
  `uvicorn main:app --host 0.0.0.0 --port \${MARKPACT_PORT:-8010}`,
  '```',
].join('\n');

describe('parseMarkpact', () => {
  it('reads the seed document: files, dependencies, run command', () => {
    const { spec, problems } = parseMarkpact(SEED);
    expect(problems).toEqual([]);
    expect(spec.files).toEqual([{ path: 'main.py', content: 'from fastapi import FastAPI\napp = FastAPI()\n' }]);
    expect(spec.deps).toEqual(['fastapi', 'uvicorn']);
    expect(spec.run).toBe(`uvicorn main:app --host 0.0.0.0 --port \${MARKPACT_PORT:-8010}`);
    expect(spec.runGuessed).toBe(false);
    expect(spec.runtime).toBe('python');
  });

  it('accepts the older info-string order and quoted paths', () => {
    const md =
      '```markpact:file python path="src/my app.py"\nprint(1)\n```\n```markpact:run bash\npython "src/my app.py"\n```\n';
    const { spec, problems } = parseMarkpact(md);
    expect(problems).toEqual([]);
    expect(spec.files.map((f) => f.path)).toEqual(['src/my app.py']);
    expect(spec.run).toBe('python "src/my app.py"');
  });

  it('treats a Node language tag on deps as npm packages', () => {
    const md = '```javascript markpact:deps\nms@2.1.3\n```\n```js markpact:file path=server.js\nrequire("ms")\n```\n';
    const { spec } = parseMarkpact(md);
    expect(spec.runtime).toBe('node');
    expect(spec.deps).toEqual(['ms@2.1.3']);
    expect(spec.run).toBe('node server.js');
    expect(spec.runGuessed).toBe(true);
  });

  it('guesses the run command the way the original does', () => {
    expect(parseMarkpact('```python markpact:file path=main.py\npass\n```').spec.run).toBe('python main.py');
    expect(parseMarkpact('```js markpact:file path=server.js\n\n```').spec.run).toBe('node server.js');
    const pkg = '```json markpact:file path=package.json\n{"scripts":{"start":"node x.js"}}\n```';
    expect(parseMarkpact(pkg).spec.run).toBe('npm start');
    expect(parseMarkpact('```text markpact:file path=notes.txt\nhi\n```').spec.run).toBeNull();
  });

  it('keeps shorter fences inside a file block and ignores prose blocks', () => {
    const md = '````markdown markpact:file path=README.md\n```js\nx\n```\n````\n```js\nnot ours\n```\n';
    const { spec } = parseMarkpact(md);
    expect(spec.files).toEqual([{ path: 'README.md', content: '```js\nx\n```\n' }]);
  });

  it('infers the runtime from the run command when there is no deps block', () => {
    expect(parseMarkpact('```bash markpact:run\npython3 -m http.server $PORT\n```').spec.runtime).toBe('python');
    expect(parseMarkpact('```bash markpact:run\nexec node -e "1"\n```').spec.runtime).toBe('node');
  });
});

describe('loadService', () => {
  it('reports every problem together', () => {
    const md = [
      '```python markpact:file path=/etc/passwd',
      'x',
      '```',
      '```python markpact:file path=../escape.py',
      'x',
      '```',
      '```python markpact:file path=a.py',
      'x',
      '```',
      '```python markpact:file path=./a.py',
      'x',
      '```',
      '```python markpact:file',
      'x',
      '```',
      '```python markpact:file path=.venv/bin/python',
      'x',
      '```',
    ].join('\n');
    const { problems } = loadService(md);
    expect(problems.some((p) => p.includes('absolute'))).toBe(true);
    expect(problems.some((p) => p.includes("'..'"))).toBe(true);
    expect(problems.some((p) => p.includes('more than once'))).toBe(true);
    expect(problems.some((p) => p.includes('no path='))).toBe(true);
    expect(problems.some((p) => p.includes('.venv'))).toBe(true);
    expect(problems.some((p) => p.includes('no run command'))).toBe(true);
  });

  it('refuses an empty document and an unclosed block', () => {
    expect(loadService('').problems.join('\n')).toMatch(/no markpact blocks/);
    expect(loadService('just prose').problems.join('\n')).toMatch(/no markpact blocks/);
    expect(loadService('```python markpact:file path=main.py\nprint(1)\n').problems.join('\n')).toMatch(/never closed/);
  });

  it('refuses pip options smuggled in as dependencies', () => {
    const md =
      '```python markpact:deps\n--index-url http://example.invalid\n```\n```python markpact:file path=main.py\n\n```';
    expect(loadService(md).problems.join('\n')).toMatch(/not a requirement/);
  });

  it('refuses npm dependency names that would be paths outside node_modules', () => {
    const bad = ['../../etc', '.hidden', '/abs/pkg', 'a/b', '@scope/name/extra', '@scope/../x', 'a..b', 'pkg\\win'];
    for (const dep of bad) {
      const { problems } = loadService({ files: { 'server.js': 'x' }, deps: [dep] });
      expect(problems, dep).toEqual([
        `dependency ${JSON.stringify(dep)} is not an npm package name (a name or @scope/name)`,
      ]);
    }
    const md = '```js markpact:deps\nms\n../../escape@1\n```\n```js markpact:file path=server.js\n\n```';
    expect(loadService(md).problems).toEqual([
      'dependency "../../escape@1" is not an npm package name (a name or @scope/name)',
    ]);
    // The dependencies of the service's own package.json are installed too: they are checked the same way.
    const pkg = JSON.stringify({ dependencies: { '../../escape': '1', ms: '2' } });
    expect(loadService({ files: { 'server.js': 'x', 'package.json': pkg } }).problems).toEqual([
      'dependency "../../escape@1" is not an npm package name (a name or @scope/name)',
    ]);
    expect(
      loadService({
        files: { 'server.js': 'x' },
        deps: ['ms', 'ms@2.1.3', '@scope/name', '@scope/name@^1', 'express@latest'],
      }).problems,
    ).toEqual([]);
    // Python requirements may be paths (local packages): not affected.
    expect(loadService({ files: { 'main.py': 'x' }, deps: ['./localpkg'] }).problems).toEqual([]);
  });

  it('accepts the plain-object form', () => {
    const { spec, problems } = loadService({ files: { 'server.js': 'x', './lib/a.js': 'y' }, deps: ['ms'] });
    expect(problems).toEqual([]);
    expect(spec.files.map((f) => f.path)).toEqual(['server.js', 'lib/a.js']);
    expect(spec.run).toBe('node server.js');
    expect(spec.runtime).toBe('node');
  });

  it('reports problems of the plain-object form', () => {
    const { problems } = loadService({ files: [{ path: 'a.py' }] as never, deps: 'x' as never, run: '' });
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });
});
