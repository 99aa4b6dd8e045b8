import { describe, expect, it } from 'vitest';
import { LabelValidator } from '../src/labels.js';
import { normalizeOptions } from '../src/options.js';

describe('LabelValidator cache', () => {
  it('remembers short label texts and never a long one, so its memory stays bounded', () => {
    const validator = new LabelValidator(normalizeOptions({}));
    const short = '{a="b"}';
    expect(validator.prepare(short)).toBe(validator.prepare(short));
    // Unparsable and far longer than any valid label set: answered, not kept.
    const long = `{a=${'x'.repeat(100_000)}}`;
    const first = validator.prepare(long);
    expect(first).toHaveProperty('unparsable');
    expect(validator.prepare(long)).not.toBe(first);
    expect(validator.prepare(long)).toEqual(first);
  });
});
