import { describe, expect, it } from 'vitest';
import { needsShell, planCommand, splitWords } from '../../src/index.js';

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
    expect(planCommand('node', ['-e', '$HOME | x'])).toMatchObject({ file: 'node', args: ['-e', '$HOME | x'], shell: false });
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
