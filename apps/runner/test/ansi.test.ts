import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAnsi } from '../src/web/ansi.js';

describe('parseAnsi', () => {
  it('turns SGR colours into classes and keeps the text', () => {
    expect(parseAnsi('\u001b[1;31mERROR\u001b[0m done')).toEqual([
      { text: 'ERROR', classes: ['ansi-bold', 'ansi-fg-1'] },
      { text: ' done', classes: [] },
    ]);
    expect(parseAnsi('\u001b[38;5;196mred\u001b[39m')).toEqual([{ text: 'red', classes: [], color: 'rgb(255, 0, 0)' }]);
    expect(parseAnsi('\u001b[38;2;1;2;3mx')).toEqual([{ text: 'x', classes: [], color: 'rgb(1, 2, 3)' }]);
    expect(parseAnsi('\u001b[92mok')).toEqual([{ text: 'ok', classes: ['ansi-fg-10'] }]);
  });

  it('drops cursor moves, titles and stray control characters', () => {
    expect(parseAnsi('a\u001b[2Kb\u001b]0;title\u0007c\u0008d')).toEqual([{ text: 'abcd', classes: [] }]);
  });

  it('never loses or adds visible text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.constantFrom('\u001b[31m', '\u001b[0m', '\u001b[1;4m', '\u001b[38;5;12m'))),
        (parts) => {
          const plain = parts.filter((p) => !p.startsWith('\u001b')).join('');
          const visible = plain.replace(/\u001b/g, '');
          const joined = parseAnsi(parts.join(''))
            .map((s) => s.text)
            .join('');
          // Escape parsing may swallow a character after a stray ESC, never more.
          expect(joined.length).toBeLessThanOrEqual(visible.length);
          if (!plain.includes('\u001b')) expect(joined).toBe(plain.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ''));
        },
      ),
    );
  });
});
