import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { needsShell, planCommand, splitWords } from '../../src/process/command.js';

describe('planCommand', () => {
  it('runs plain words without a shell, honouring quotes', () => {
    expect(planCommand(`python3 -c "print('a b')" 'x y'`)).toMatchObject({
      file: 'python3',
      args: ['-c', "print('a b')", 'x y'],
      shell: false,
    });
    expect(splitWords('a\\ b "c\\"d"')).toEqual(['a b', 'c"d']);
  });

  it('uses a shell for shell syntax and execs the final command', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, on purpose
    const plan = planCommand('uvicorn main:app --port ${MARKPACT_PORT:-8010}');
    expect(plan).toMatchObject({ file: '/bin/sh', shell: true, shellStays: false });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, on purpose
    expect(plan.args).toEqual(['-c', 'exec uvicorn main:app --port ${MARKPACT_PORT:-8010}']);
    expect(planCommand('cd app && node server.js').args[1]).toBe('cd app && exec node server.js');
    expect(planCommand('FOO=1 BAR="a b" node x.js').args[1]).toBe('FOO=1 BAR="a b" exec node x.js');
    expect(planCommand('echo "a && b"; node x.js').args[1]).toBe('echo "a && b"; exec node x.js');
  });

  it('keeps the shell when exec would change the meaning', () => {
    for (const cmd of ['python3 app.py | tee log', 'node a.js &', 'python3 x.py; exit $?', 'cd x && { node a.js; }']) {
      expect(planCommand(cmd)).toMatchObject({ shell: true, shellStays: true });
      expect(planCommand(cmd).args[1]).toBe(cmd);
    }
  });

  it('never uses a shell for an explicit argument list', () => {
    expect(planCommand('node', ['-e', '$HOME | x'])).toMatchObject({
      file: 'node',
      args: ['-e', '$HOME | x'],
      shell: false,
    });
  });

  it('detects shell syntax', () => {
    expect(needsShell('node server.js --port 80')).toBe(false);
    expect(needsShell('node server.js > out.log')).toBe(true);
    expect(needsShell('PORT=1 node server.js')).toBe(true);
  });

  it('rejects an unclosed quote', () => {
    expect(() => planCommand('python3 "oops')).toThrow(TypeError);
  });
});

/** POSIX single-quoting: the word comes back unchanged from any shell. */
const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

describe('splitting agrees with the shell', () => {
  it('single-quoted words of any content come back as they were, without a shell (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 0, maxLength: 12 }), { minLength: 1, maxLength: 6 }),
        (words) => {
          const plan = planCommand(['prog', ...words.map(quote)].join(' '));
          expect(plan.shell).toBe(false);
          expect(plan.args).toEqual(words);
        },
      ),
    );
  });

  it('gives the same argv as /bin/sh for tricky plain command lines', () => {
    const script = 'console.log(JSON.stringify(process.argv.slice(1)))';
    for (const tail of [`a "b c" 'd e'`, `"x\\"y" z\\ w`, `'it'\\''s' "" ''`, `"p(q)" 'r|s' "t;u"`]) {
      const line = `${quote(process.execPath)} -e ${quote(script)} ${tail}`;
      const plan = planCommand(line);
      expect(plan.shell).toBe(false);
      const viaShell = JSON.parse(execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8' }));
      const direct = JSON.parse(execFileSync(plan.file, plan.args, { encoding: 'utf8' }));
      expect(direct).toEqual(viaShell);
    }
  });
});
