import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { callbackHandler, getLogger, type Handler, LEVELS } from '../src/index.js';

const { TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL } = LEVELS;

/** One row: logger levels (relative names, '' = the case's top logger), handlers, the call, who must receive it. */
interface Case {
  what: string;
  levels?: Array<[string, number]>;
  noPropagate?: string[];
  handlers: Array<[id: string, at: string, level: number]>;
  log: [at: string, level: number];
  expected: string[];
}

const cases: Case[] = [
  {
    what: 'seed basic setup: sandbox DEBUG passes',
    levels: [
      ['', INFO],
      ['sandbox', DEBUG],
    ],
    handlers: [['top', '', 0]],
    log: ['sandbox', DEBUG],
    expected: ['top'],
  },
  {
    what: 'seed basic setup: security DEBUG is dropped',
    levels: [
      ['', INFO],
      ['sandbox', DEBUG],
    ],
    handlers: [['top', '', 0]],
    log: ['security', DEBUG],
    expected: [],
  },
  {
    what: 'seed basic setup: security INFO passes',
    levels: [
      ['', INFO],
      ['sandbox', DEBUG],
    ],
    handlers: [['top', '', 0]],
    log: ['security', INFO],
    expected: ['top'],
  },
  {
    what: 'NOTSET all the way: root WARNING decides (INFO dropped)',
    handlers: [['top', '', 0]],
    log: ['a.b', INFO],
    expected: [],
  },
  {
    what: 'NOTSET all the way: root WARNING decides (WARNING passes)',
    handlers: [['top', '', 0]],
    log: ['a.b', WARNING],
    expected: ['top'],
  },
  {
    what: 'nearest ancestor with a level wins',
    levels: [
      ['', ERROR],
      ['a', DEBUG],
    ],
    handlers: [['top', '', 0]],
    log: ['a.b.c', DEBUG],
    expected: ['top'],
  },
  {
    what: 'propagation ignores ancestor logger levels',
    levels: [
      ['', CRITICAL],
      ['a', TRACE],
    ],
    handlers: [
      ['top', '', 0],
      ['a', 'a', 0],
    ],
    log: ['a', TRACE],
    expected: ['a', 'top'],
  },
  {
    what: 'handler levels are checked on the way up',
    levels: [['', DEBUG]],
    handlers: [
      ['top', '', ERROR],
      ['a', 'a', INFO],
    ],
    log: ['a.b', WARNING],
    expected: ['a'],
  },
  {
    what: 'every handler above passes its own level',
    levels: [['', DEBUG]],
    handlers: [
      ['top', '', WARNING],
      ['a', 'a', DEBUG],
      ['ab', 'a.b', INFO],
    ],
    log: ['a.b', ERROR],
    expected: ['a', 'ab', 'top'],
  },
  {
    what: 'propagate false stops at that logger',
    levels: [['', DEBUG]],
    noPropagate: ['a'],
    handlers: [
      ['top', '', 0],
      ['a', 'a', 0],
    ],
    log: ['a.b', INFO],
    expected: ['a'],
  },
  {
    what: 'propagate false on the emitting logger',
    levels: [['', DEBUG]],
    noPropagate: ['a.b'],
    handlers: [
      ['top', '', 0],
      ['ab', 'a.b', 0],
    ],
    log: ['a.b', INFO],
    expected: ['ab'],
  },
  {
    what: 'propagate false without handlers drops silently',
    levels: [['', DEBUG]],
    noPropagate: ['a'],
    handlers: [['top', '', 0]],
    log: ['a', ERROR],
    expected: [],
  },
  {
    what: 'the own level filters before any handler',
    levels: [
      ['', DEBUG],
      ['a', ERROR],
    ],
    handlers: [
      ['top', '', 0],
      ['a', 'a', 0],
    ],
    log: ['a', WARNING],
    expected: [],
  },
  {
    what: 'a descendant level below its parent',
    levels: [
      ['', ERROR],
      ['a.b', DEBUG],
    ],
    handlers: [['a', 'a', 0]],
    log: ['a.b.c', DEBUG],
    expected: ['a'],
  },
];

function runCase(c: Case, prefix: string): string[] {
  const name = (rel: string) => (rel === '' ? prefix : `${prefix}.${rel}`);
  const hits: string[] = [];
  const handlers: Array<[string, Handler]> = [];
  for (const [rel, level] of c.levels ?? []) getLogger(name(rel)).setLevel(level);
  for (const rel of c.noPropagate ?? []) getLogger(name(rel)).propagate = false;
  for (const [id, at, level] of c.handlers) {
    const h = callbackHandler(() => hits.push(id), { level });
    getLogger(name(at)).addHandler(h);
    handlers.push([at, h]);
  }
  const [at, level] = c.log;
  const log = getLogger(name(at));
  const method = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }[level] as 'info';
  log[method]('x');
  return hits.sort();
}

describe('hierarchy follows Python logging', () => {
  it.each(cases.map((c, i) => [c.what, c, i] as const))('%s', (_what, c, i) => {
    expect(runCase(c, `hier${i}`)).toEqual(c.expected);
  });

  it('agrees with CPython on every row', (ctx) => {
    const out = runPython([path.join(import.meta.dirname, 'fixtures/python-hierarchy.py')], JSON.stringify(cases));
    if (out === undefined) {
      ctx.skip('python3 is not installed');
      return;
    }
    expect(JSON.parse(out)).toEqual(cases.map((c) => c.expected));
  });
});

/** Runs python3; undefined only when python3 itself is missing. Any other failure of the script throws. */
function runPython(args: string[], input: string): string | undefined {
  try {
    return execFileSync('python3', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

describe('the CPython comparison', () => {
  it('fails, not skips, when the script itself fails', (ctx) => {
    if (runPython(['-c', 'pass'], '') === undefined) {
      ctx.skip('python3 is not installed');
      return;
    }
    expect(() => runPython(['-c', 'import sys; sys.exit(3)'], '')).toThrow();
    expect(() => runPython(['-c', 'raise ValueError("broken fixture")'], '')).toThrow(/broken fixture/);
    expect(() => runPython([path.join(import.meta.dirname, 'fixtures/no-such-script.py')], '')).toThrow();
  });
});

describe('level changes cascade', () => {
  it('reaches existing NOTSET descendants and pino children at once', () => {
    const top = getLogger('cascade');
    const deep = getLogger('cascade.a.b.c');
    const child = getLogger('cascade.a').child({ service: 'svc' });
    const grandchild = child.child({ request: 1 });
    const seen: string[] = [];
    top.addHandler(callbackHandler((m) => seen.push(m)));
    deep.debug('before');
    grandchild.debug('before');
    top.setLevel('DEBUG');
    expect(deep.isLevelEnabled('debug')).toBe(true);
    expect(child.getEffectiveLevel()).toBe(DEBUG);
    deep.debug('deep');
    grandchild.debug('grandchild');
    top.setLevel('ERROR');
    grandchild.warning('hidden');
    expect(seen).toEqual(['deep', 'grandchild']);
  });

  it('NOTSET returns a logger to inheritance', () => {
    const top = getLogger('notset');
    const sub = getLogger('notset.sub');
    top.setLevel('INFO');
    sub.setLevel('DEBUG');
    expect(sub.getEffectiveLevel()).toBe(DEBUG);
    sub.setLevel('NOTSET');
    expect(sub.getEffectiveLevel()).toBe(INFO);
    top.setLevel('ERROR');
    expect(sub.getEffectiveLevel()).toBe(ERROR);
    expect(sub.isLevelEnabled('warn')).toBe(false);
  });

  it('keeps a level given explicitly to a pino child', () => {
    const top = getLogger('explicit');
    top.setLevel('INFO');
    const child = top.child({ a: 1 }, { level: 'debug' });
    top.setLevel('ERROR');
    expect(child.isLevelEnabled('debug')).toBe(true);
    child.setLevel('NOTSET');
    expect(child.isLevelEnabled('warn')).toBe(false);
  });

  it('returns the same logger for a name, with its parent above it', () => {
    expect(getLogger('same.name')).toBe(getLogger('same.name'));
    expect(getLogger('same.name').parentLogger).toBe(getLogger('same'));
    expect(getLogger('same').parentLogger).toBe(getLogger());
    expect(getLogger().loggerName).toBe('root');
    expect(getLogger('root')).toBe(getLogger());
  });
});

describe('pino-style level assignment', () => {
  it('logger.level = x on a named logger is its own level for the hierarchy too', () => {
    const top = getLogger('assign');
    const sub = getLogger('assign.sub');
    top.level = 'debug';
    expect(top.getEffectiveLevel()).toBe(DEBUG);
    expect(sub.getEffectiveLevel()).toBe(DEBUG);
    expect(sub.isLevelEnabled('debug')).toBe(true);
    top.level = 'silent';
    expect(sub.isLevelEnabled('fatal')).toBe(false);
    top.setLevel(35);
    expect(top.getEffectiveLevel()).toBe(35);
    expect(sub.isLevelEnabled('info')).toBe(false);
    expect(sub.isLevelEnabled('warn')).toBe(true);
  });
});
