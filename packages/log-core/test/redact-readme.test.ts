import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../src/index.js';

describe('README', () => {
  it('lists exactly the default redaction rules', () => {
    const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(
      readme.indexOf('#### The default rules'),
      readme.indexOf('**Turning a default off:**'),
    );
    const ids = [...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(ids).toEqual(DEFAULT_RULES.map((r) => r.id));
  });
});
