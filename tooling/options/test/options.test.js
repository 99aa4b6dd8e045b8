import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineOptions, didYouMean, rejectUnknownKeys } from '../index.js';

const table = defineOptions({
  pkg: '@pactown/example',
  prefix: 'PACTOWN_EXAMPLE',
  options: {
    level: { kind: 'enum', values: ['debug', 'info'], default: 'info', doc: 'the threshold' },
    handlers: { kind: 'object', default: () => ({}) },
    root: 'object',
    port: { kind: 'port', default: 0 },
    batchBytes: { kind: 'integer', min: 1, infinity: true, default: 1024 },
    name: { kind: 'text', check: (v) => (v.includes('/') ? 'a name without /' : undefined) },
  },
});

test('unknown keys name the nearest valid one', () => {
  for (const [typo, near] of [
    ['levle', 'level'],
    ['handler', 'handlers'],
    ['rooot', 'root'],
    ['Port', 'port'],
  ]) {
    assert.throws(
      () => table.parse({ [typo]: 1 }),
      (e) =>
        e instanceof TypeError &&
        e.code === 'PACTOWN_EXAMPLE_UNKNOWN_OPTION' &&
        e.message === `[@pactown/example] unknown option '${typo}' (did you mean '${near}'?)`,
    );
  }
});

test('an unrelated unknown key gets no suggestion', () => {
  assert.throws(() => table.parse({ zzzzzz: 1 }), { message: "[@pactown/example] unknown option 'zzzzzz'" });
});

test('defaults are filled, functions called, values kept', () => {
  const a = table.parse({});
  const b = table.parse(undefined);
  assert.deepEqual(a, { level: 'info', handlers: {}, port: 0, batchBytes: 1024 });
  assert.notEqual(a.handlers, b.handlers);
  assert.deepEqual(table.parse({ level: 'debug', batchBytes: Number.POSITIVE_INFINITY }).batchBytes, Infinity);
});

test('bad values give a coded TypeError naming the option and the wanted kind', () => {
  assert.throws(() => table.parse({ port: 70000 }), {
    code: 'PACTOWN_EXAMPLE_INVALID_OPTION',
    message: "[@pactown/example] option 'port' must be an integer port from 0 to 65535, got 70000",
  });
  assert.throws(
    () => table.parse({ batchBytes: 0 }),
    /option 'batchBytes' must be an integer >= 1 \(Infinity for no limit\), got 0/,
  );
  assert.throws(() => table.parse({ level: 'loud' }), /must be one of "debug", "info", got "loud"/);
  assert.throws(() => table.parse({ name: 'a/b' }), /option 'name' must be a name without \/, got "a\/b"/);
  assert.throws(() => table.parse('x'), /options must be an object/);
});

test('didYouMean stays quiet for far words and handles transpositions', () => {
  assert.equal(didYouMean('levle', ['level', 'name']), 'level');
  assert.equal(didYouMean('x', ['level']), undefined);
  assert.equal(didYouMean('maxInflight', ['maxInFlight']), 'maxInFlight');
});

test('rejectUnknownKeys matches defineOptions', () => {
  assert.throws(() => rejectUnknownKeys({ levle: 1 }, ['level'], { pkg: '@p/x', prefix: 'P', where: 'configure()' }), {
    code: 'P_UNKNOWN_OPTION',
    message: "[@p/x] unknown option 'levle' in configure() (did you mean 'level'?)",
  });
});

test('markdown renders one row per option', () => {
  const md = table.markdown().split('\n');
  assert.equal(md.length, 2 + table.names.length);
  assert.match(md[2], /^\| `level` \| one of "debug", "info" \| `"info"` \| the threshold \|$/);
});
