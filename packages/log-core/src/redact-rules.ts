/**
 * The default redaction rules, written from each format's published shape.
 * Every rule works inside one line; only the PEM rule keeps state across lines
 * (see `redact-line.ts`).
 */

/** A rule of the text engine: what it masks and under which id it can be turned off. */
export interface RedactionRule {
  /** Stable id, used by `disable` (`'github-token'`). */
  id: string;
  /** What it masks, in one line (the README's rule table is checked against these). */
  description?: string;
  /** Every match is replaced; made global when it is not. */
  pattern: RegExp;
  /**
   * Literal strings (case-sensitive) of which a line must hold one for the rule
   * to run; also what `mayNeedRedaction` looks for. Without it the pattern is
   * tested (over a whole block when it is block-safe).
   * @default none
   */
  prefilter?: readonly string[];
  /** The replacement: a string (`$1` works) or a function as in `String.prototype.replace`. @default the censor */
  replace?: string | ((match: string, ...groups: any[]) => string);
}

/** A default rule as listed by {@link DEFAULT_RULES}. */
export interface DefaultRuleInfo {
  readonly id: string;
  readonly description: string;
}

/** A token format: the body of a pattern that stands alone (no key or word character right before or after it). */
export interface TokenFormat {
  id: string;
  description: string;
  source: string;
}

/** Well-known token formats, matched anywhere in text. */
export const TOKEN_FORMATS: readonly TokenFormat[] = [
  {
    id: 'github-token',
    description: 'GitHub tokens `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` (36+ characters)',
    source: 'gh[pousr]_[A-Za-z0-9]{30,255}',
  },
  {
    id: 'github-pat',
    description: 'GitHub fine-grained tokens `github_pat_...`',
    source: 'github_pat_[A-Za-z0-9_]{22,255}',
  },
  { id: 'gitlab-token', description: 'GitLab personal tokens `glpat-...`', source: 'glpat-[A-Za-z0-9_-]{20,255}' },
  {
    id: 'slack-token',
    description: 'Slack tokens `xoxa-`, `xoxb-`, `xoxp-`, `xoxr-`, `xoxs-`',
    source: 'xox[abprs]-[A-Za-z0-9-]{10,255}',
  },
  {
    id: 'stripe-key',
    description: 'Stripe secret and restricted keys `sk_live_`, `sk_test_`, `rk_live_`, `rk_test_`',
    source: '[sr]k_(?:live|test)_[A-Za-z0-9]{10,255}',
  },
  // A digit is required: random keys always have one, hyphenated words (`sk-learn-...`) do not.
  {
    id: 'sk-key',
    description: 'OpenAI/Anthropic-style keys `sk-...`, `sk-proj-...`, `sk-ant-...` (20+ characters with a digit)',
    source: 'sk-(?=[A-Za-z_-]{0,255}[0-9])[A-Za-z0-9_-]{20,255}',
  },
  {
    id: 'aws-access-key-id',
    description: 'AWS access key ids `AKIA...`/`ASIA...` (and a 40-character secret key on the same line)',
    source: '(?:AKIA|ASIA)[0-9A-Z]{16}',
  },
  { id: 'google-api-key', description: 'Google API keys `AIza...` (39 characters)', source: 'AIza[0-9A-Za-z_-]{35}' },
  {
    id: 'npm-token',
    description: 'npm tokens `npm_...` (36 characters after the prefix)',
    source: 'npm_[A-Za-z0-9]{36}',
  },
  {
    id: 'jwt',
    description: 'JSON Web Tokens `eyJ....eyJ....sig`',
    source: 'eyJ[A-Za-z0-9_-]{4,4096}\\.eyJ[A-Za-z0-9_-]{4,8192}\\.[A-Za-z0-9_-]{4,4096}',
  },
];

/** Literal starts of {@link TOKEN_FORMATS}, for the cheap check before the token regex runs ({@link hasTokenHint} is the fast form). */
export const TOKEN_HINT = /gh[pousr]_|github_pat_|glpat-|xox[abprs]-|[sr]k_(?:live|test)_|sk-|A[KS]IA|AIza|npm_|eyJ/;

/** Whether `text` holds a literal start of a token format: the same answer as `TOKEN_HINT.test(text)`, faster. */
export function hasTokenHint(text: string): boolean {
  // Every start but eyJ and the A ones holds a `_` or a `-`: each found by `indexOf`, and the
  // few characters around it compared (no regex scan, which tries the alternatives at every position).
  for (let at = text.indexOf('_'); at !== -1; at = text.indexOf('_', at + 1)) if (underscoreHint(text, at)) return true;
  for (let at = text.indexOf('-'); at !== -1; at = text.indexOf('-', at + 1)) if (dashHint(text, at)) return true;
  // A rare character first: `includes` of one character is the fastest scan, and `e` is everywhere.
  return (
    (text.includes('J') && text.includes('eyJ')) ||
    (text.includes('A') && (text.includes('AKIA') || text.includes('ASIA') || text.includes('AIza')))
  );
}

/** Whether `text[at]`, a `_`, ends `gh[pousr]_`, `npm_`, or starts `github_pat_` or `[sr]k_(?:live|test)_`. */
function underscoreHint(text: string, at: number): boolean {
  const a = text.charCodeAt(at - 1);
  // gh[pousr]_
  if ((a === 0x70 || a === 0x6f || a === 0x75 || a === 0x73 || a === 0x72) && at >= 3 && text.startsWith('gh', at - 3))
    return true;
  // npm_
  if (a === 0x6d && at >= 3 && text.startsWith('np', at - 3)) return true;
  // [sr]k_(?:live|test)_
  if (a === 0x6b) {
    const b = text.charCodeAt(at - 2);
    if ((b === 0x73 || b === 0x72) && (text.startsWith('live_', at + 1) || text.startsWith('test_', at + 1)))
      return true;
  }
  // github_pat_
  return a === 0x62 && at >= 6 && text.startsWith('github', at - 6) && text.startsWith('pat_', at + 1);
}

/** Whether `text[at]`, a `-`, ends `glpat-`, `xox[abprs]-` or `sk-`. */
function dashHint(text: string, at: number): boolean {
  const a = text.charCodeAt(at - 1);
  if (a === 0x74) return at >= 5 && text.startsWith('glpa', at - 5);
  if (a === 0x6b) return text.charCodeAt(at - 2) === 0x73;
  return (
    (a === 0x61 || a === 0x62 || a === 0x70 || a === 0x72 || a === 0x73) && at >= 4 && text.startsWith('xox', at - 4)
  );
}

/** The default rules; ids are what `disable` takes. */
export const DEFAULT_RULES: readonly DefaultRuleInfo[] = Object.freeze(
  [
    {
      id: 'pem-private-key',
      description:
        'PEM private key blocks (`-----BEGIN ... PRIVATE KEY-----`), every line up to the END line, across lines and chunks',
    },
    {
      id: 'secret-key-value',
      description:
        'secret-named keys: env/logfmt `K=v`, YAML `k: v` (quoted or not; to the end of the line when the key starts it), JSON `"k": "v"`, headers `x-api-key: v`',
    },
    {
      id: 'auth-header',
      description:
        '`Authorization`/`Proxy-Authorization` with any scheme (the scheme stays), `Cookie`/`Set-Cookie` values',
    },
    { id: 'secret-flag', description: 'CLI flags naming a secret: `--password v`, `--token=v`, `-api-key v`' },
    {
      id: 'bearer-basic',
      description:
        '`Bearer <token>`, `Basic <base64>` and `Token <value with a digit>` anywhere in text (the scheme word stays)',
    },
    {
      id: 'url-password',
      description: 'URL passwords, with or without a user: `scheme://user:pw@host`, `redis://:pw@host`',
    },
    {
      id: 'url-token-user',
      description: 'a token as the URL user: `https://<16+ letters and digits>@host` (`git@`, `user@` stay)',
    },
    ...TOKEN_FORMATS.map(({ id, description }) => ({ id, description })),
    {
      id: 'known-values',
      description: 'the `knownValues` given (values of secret-named variables), wherever they appear',
    },
  ].map((r) => Object.freeze(r)),
);

/** Key fragments that name a secret; matched case-insensitively, ignoring `_`, `-` and `.`. */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'api_key',
  'authorization',
  'cookie',
  'privatekey',
  'private_key',
  'accesskey',
  'credential',
  'sessionid',
  'signature',
  'jwt',
]);

/**
 * Whole words that name a secret only as a word of the key (`AUTH`, `X_AUTH`,
 * `MYSQL_PWD`, `SENTRY_DSN`, `DB_PASS`), never inside a longer word
 * (`author`, `OLDPWD`, `passage`). `pwd` alone is the working directory.
 */
export const SECRET_WORDS: ReadonlySet<string> = new Set(['auth', 'pwd', 'dsn', 'pass']);

/** Header names whose value runs to the end of the line (a scheme may come first). */
export const HEADER_KEYS: ReadonlySet<string> = new Set(['authorization', 'proxyauthorization', 'cookie', 'setcookie']);

/** Lowercase with every character other than a letter or digit dropped: `X-API-Key` → `xapikey`. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A key's words: split at `_ - .` and other separators and at camelCase humps, lowercased. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}
