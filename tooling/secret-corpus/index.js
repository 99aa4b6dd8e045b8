// Fake secrets in the published shapes of each format; none is a live credential.

const gh = (prefix) => `${prefix}_${'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7c'}`;
const PEM_RSA = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  'LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo',
  '-----END RSA PRIVATE KEY-----',
].join('\n');
const PEM_PKCS8 = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDPk3ycVd9FJwQx',
  'q8XeXlvB1wF1o0Rz7yq9c2Tz6pGdk3mQ4lE1VbXn0aRkzqH8sZxV3cYbQ7TnWwUa',
  '-----END PRIVATE KEY-----',
].join('\n');
const PEM_EC = [
  '-----BEGIN EC PRIVATE KEY-----',
  'MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oWq8TNgZJk3XoAoGCCqGSM49',
  'AwEHoUQDQgAEqHRpZW5kZWZvcmV4YW1wbGVvbmx5',
  '-----END EC PRIVATE KEY-----',
].join('\n');
const PEM_BODY = (pem) => pem.split('\n').slice(1, -1);

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkV4YW1wbGUifQ.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk';

/** @type {import('./index.d.ts').SecretShape[]} */
export const SECRET_SHAPES = Object.freeze(
  [
    { id: 'env-password', kind: 'key-value', text: 'DB_PASSWORD=hunter2-corpus', secrets: ['hunter2-corpus'] },
    { id: 'env-mysql-pwd', kind: 'key-value', text: 'MYSQL_PWD=myS3cretPwd', secrets: ['myS3cretPwd'] },
    { id: 'env-auth', kind: 'key-value', text: 'AUTH=auth-value-42x', secrets: ['auth-value-42x'] },
    {
      id: 'env-quoted',
      kind: 'key-value',
      text: 'export API_TOKEN="tok en with spaces 77"',
      secrets: ['tok en with spaces 77'],
    },
    {
      id: 'logfmt-secret',
      kind: 'key-value',
      text: 'level=info msg="connecting" client_secret=cs-9a8b7c6d5e user=bob',
      secrets: ['cs-9a8b7c6d5e'],
    },
    {
      id: 'query-token',
      kind: 'key-value',
      text: 'GET /callback?code=1&access_token=qt-5f4e3d2c1b&state=x 302',
      secrets: ['qt-5f4e3d2c1b'],
    },
    { id: 'yaml-plain', kind: 'key-value', text: 'password: yaml plain secret 1', secrets: ['yaml plain secret 1'] },
    { id: 'yaml-indented', kind: 'key-value', text: '    db_password: indented-pw-2', secrets: ['indented-pw-2'] },
    {
      id: 'yaml-single-quoted',
      kind: 'key-value',
      text: "client_secret: 'sq-secret-value-3'",
      secrets: ['sq-secret-value-3'],
    },
    {
      id: 'yaml-double-quoted',
      kind: 'key-value',
      text: 'api_key: "dq-secret-value-4"',
      secrets: ['dq-secret-value-4'],
    },
    { id: 'yaml-list-item', kind: 'key-value', text: '  - token: list-item-tok-5', secrets: ['list-item-tok-5'] },
    {
      id: 'json-pair',
      kind: 'key-value',
      text: '{"user":"bob","password":"json-pw-6","port":5432}',
      secrets: ['json-pw-6'],
    },
    {
      id: 'json-spaced',
      kind: 'key-value',
      text: '{"refresh_token": "json-rt-7", "ok": true}',
      secrets: ['json-rt-7'],
    },
    {
      id: 'python-dict',
      kind: 'key-value',
      text: "config={'secret_key': 'py-dict-secret-8', 'debug': False}",
      secrets: ['py-dict-secret-8'],
    },
    { id: 'header-api-key', kind: 'header', text: 'x-api-key: hdr-api-key-9', secrets: ['hdr-api-key-9'] },
    {
      id: 'header-auth-token',
      kind: 'header',
      text: 'Authorization: Token hdr-token-10abc',
      secrets: ['hdr-token-10abc'],
    },
    {
      id: 'header-auth-bearer',
      kind: 'header',
      text: 'Authorization: Bearer hdr-bearer-11abc',
      secrets: ['hdr-bearer-11abc'],
    },
    {
      id: 'header-auth-basic',
      kind: 'header',
      text: 'authorization: Basic dXNlcjpwYXNzd29yZDEy',
      secrets: ['dXNlcjpwYXNzd29yZDEy'],
    },
    {
      id: 'header-auth-digest',
      kind: 'header',
      text: 'Authorization: Digest username="bob", response="6629fae49393a05397450978507c4ef1"',
      secrets: ['6629fae49393a05397450978507c4ef1'],
    },
    {
      id: 'header-auth-raw',
      kind: 'header',
      text: 'Authorization: rawcredential13xyz',
      secrets: ['rawcredential13xyz'],
    },
    {
      id: 'header-proxy-auth',
      kind: 'header',
      text: 'Proxy-Authorization: Basic cHJveHk6c2VjcmV0MTQ=',
      secrets: ['cHJveHk6c2VjcmV0MTQ='],
    },
    {
      id: 'header-cookie',
      kind: 'header',
      text: 'Cookie: sessionid=ck-15-abc; csrftoken=ck-15-def',
      secrets: ['ck-15-abc', 'ck-15-def'],
    },
    {
      id: 'header-set-cookie',
      kind: 'header',
      text: 'Set-Cookie: sid=sc-16-abcdef; Path=/; HttpOnly; Secure',
      secrets: ['sc-16-abcdef'],
    },
    {
      id: 'curl-header',
      kind: 'header',
      text: 'curl -H "Authorization: Bearer curl-17-bearer" https://api.example.com/v1',
      secrets: ['curl-17-bearer'],
    },
    {
      id: 'bearer-free-text',
      kind: 'header',
      text: 'retrying with bearer free-18-token-abc',
      secrets: ['free-18-token-abc'],
    },
    { id: 'flag-space', kind: 'flag', text: 'mysql --password flag-19-pw --host db', secrets: ['flag-19-pw'] },
    { id: 'flag-equals', kind: 'flag', text: 'deploy --api-token=flag-20-tok --region eu', secrets: ['flag-20-tok'] },
    {
      id: 'url-user-pass',
      kind: 'url',
      text: 'connecting to postgres://app:url-21-pw@db.internal:5432/app',
      secrets: ['url-21-pw'],
    },
    { id: 'url-empty-user', kind: 'url', text: 'REDIS at redis://:url-22-pw@cache:6379/0', secrets: ['url-22-pw'] },
    {
      id: 'url-token-user',
      kind: 'url',
      text: 'dsn https://4f2b9c1d7e8a4b6c9d0e1f2a3b4c5d6e@o12345.ingest.example.io/42',
      secrets: ['4f2b9c1d7e8a4b6c9d0e1f2a3b4c5d6e'],
    },
    {
      id: 'url-amqp',
      kind: 'url',
      text: 'broker amqps://guest:url-24-pw@mq.example.com/vhost',
      secrets: ['url-24-pw'],
    },
    { id: 'github-ghp', kind: 'token', text: `cloning with ${gh('ghp')}`, secrets: [gh('ghp')] },
    { id: 'github-gho', kind: 'token', text: `oauth ${gh('gho')}`, secrets: [gh('gho')] },
    { id: 'github-ghu', kind: 'token', text: `user-to-server ${gh('ghu')}`, secrets: [gh('ghu')] },
    {
      id: 'github-ghs',
      kind: 'token',
      text: `https://x-access-token:${gh('ghs')}@github.com/o/r.git`,
      secrets: [gh('ghs')],
    },
    { id: 'github-ghr', kind: 'token', text: `refresh=${gh('ghr')}`, secrets: [gh('ghr')] },
    {
      id: 'github-pat',
      kind: 'token',
      text: 'token github_pat_11ABCDEFG0abcdefghij12_klmnopqrstuvwxyzABCDEFGHIJ0123456789abcdefghijklmnopq',
      secrets: ['github_pat_11ABCDEFG0abcdefghij12_klmnopqrstuvwxyzABCDEFGHIJ0123456789abcdefghijklmnopq'],
    },
    {
      id: 'gitlab',
      kind: 'token',
      text: 'git push https://oauth2:glpat-Ab3dEf6hIj9kLm2nOp5q@gitlab.example.com/g/p.git',
      secrets: ['glpat-Ab3dEf6hIj9kLm2nOp5q'],
    },
    {
      id: 'gitlab-bare',
      kind: 'token',
      text: 'using glpat-xY9zAb3dEf6hIj9kLm2n for CI',
      secrets: ['glpat-xY9zAb3dEf6hIj9kLm2n'],
    },
    {
      id: 'slack-bot',
      kind: 'token',
      text: 'slack xoxb-2048-4096-Ab3dEf6hIj9kLm2nOp5q',
      secrets: ['xoxb-2048-4096-Ab3dEf6hIj9kLm2nOp5q'],
    },
    {
      id: 'slack-user',
      kind: 'token',
      text: 'xoxp-1111-2222-3333-Ab3dEf6hIj9k posted',
      secrets: ['xoxp-1111-2222-3333-Ab3dEf6hIj9k'],
    },
    {
      id: 'stripe-sk-live',
      kind: 'token',
      text: 'STRIPE_SK=sk_live_4eC39HqLyjWDarjtT1zdp7dc',
      secrets: ['sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    },
    {
      id: 'stripe-rk-live',
      kind: 'token',
      text: 'restricted rk_live_51H8abcDEF0123456789xyz',
      secrets: ['rk_live_51H8abcDEF0123456789xyz'],
    },
    {
      id: 'stripe-sk-test',
      kind: 'token',
      text: 'charge with sk_test_26PHem9AhJZvU623DfE1x4sd',
      secrets: ['sk_test_26PHem9AhJZvU623DfE1x4sd'],
    },
    {
      id: 'openai-sk',
      kind: 'token',
      text: 'OpenAI key sk-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
      secrets: ['sk-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'],
    },
    {
      id: 'openai-proj',
      kind: 'token',
      text: 'key=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_A1',
      secrets: ['sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_A1'],
    },
    {
      id: 'anthropic-sk',
      kind: 'token',
      text: 'client(sk-ant-api03-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z-AA)',
      secrets: ['sk-ant-api03-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z-AA'],
    },
    {
      id: 'aws-key-pair',
      kind: 'token',
      text: 'aws creds AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      secrets: ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    },
    { id: 'aws-session', kind: 'token', text: 'assumed role ASIAY34FZKBOKMUTVV7A', secrets: ['ASIAY34FZKBOKMUTVV7A'] },
    {
      id: 'aws-secret-named',
      kind: 'key-value',
      text: 'aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
      secrets: ['je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY'],
    },
    {
      id: 'google-api-key',
      kind: 'token',
      text: 'maps key AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI loaded',
      secrets: ['AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI'],
    },
    {
      id: 'npm-token',
      kind: 'token',
      text: '//registry.npmjs.org/:_authToken=npm_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7c',
      secrets: ['npm_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7c'],
    },
    { id: 'jwt-bare', kind: 'token', text: `session ${JWT} accepted`, secrets: [JWT] },
    { id: 'pem-rsa', kind: 'pem', text: PEM_RSA, secrets: PEM_BODY(PEM_RSA) },
    { id: 'pem-pkcs8', kind: 'pem', text: `loaded key:\n${PEM_PKCS8}\nready`, secrets: PEM_BODY(PEM_PKCS8) },
    {
      id: 'pem-ec-indented',
      kind: 'pem',
      text: PEM_EC.split('\n')
        .map((l) => `    ${l}`)
        .join('\n'),
      secrets: PEM_BODY(PEM_EC),
    },
    {
      id: 'pem-json-escaped',
      kind: 'pem',
      text: `{"private_key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAAjsonEscaped\\n-----END PRIVATE KEY-----\\n"}`,
      secrets: ['MIIEvQIBADANBgkqhkiG9w0BAQEFAAjsonEscaped'],
    },
    // Terminal colour codes around or inside a key or a value: what a terminal shows (and a reader that
    // strips escapes keeps) is the plain shape.
    {
      id: 'ansi-key',
      kind: 'ansi',
      text: '\x1b[31mpassword\x1b[0m=ansi-hunter2-41',
      secrets: ['ansi-hunter2-41'],
    },
    {
      id: 'ansi-header-auth',
      kind: 'ansi',
      text: '\x1b[1mAuthorization:\x1b[0m Bearer ansi-bearer-42x',
      secrets: ['ansi-bearer-42x'],
    },
    {
      id: 'ansi-key-split',
      kind: 'ansi',
      text: '\x1b[36mDB_PASS\x1b[1mWORD\x1b[0m=ansi-split-43',
      secrets: ['ansi-split-43'],
    },
    {
      id: 'ansi-yaml-value',
      kind: 'ansi',
      text: 'api_key: \x1b[33mansi-yaml-44\x1b[0m',
      secrets: ['ansi-yaml-44'],
    },
    {
      id: 'ansi-value-split',
      kind: 'ansi',
      text: 'SESSION_TOKEN=split45\x1b[1mvalue45tail\x1b[0m',
      secrets: ['split45', 'value45tail'],
    },
    {
      id: 'ansi-logfmt',
      kind: 'ansi',
      text: '\x1b[2m2026-12-03 13:45:32\x1b[0m [\x1b[32minfo\x1b[0m] login \x1b[36mclient_secret\x1b[0m=\x1b[35mansi-cs-46\x1b[0m \x1b[36muser\x1b[0m=\x1b[35mbob\x1b[0m',
      secrets: ['ansi-cs-46'],
    },
    {
      id: 'ansi-jq-json',
      kind: 'ansi',
      text: '\x1b[1;39m{\x1b[0m\x1b[34;1m"password"\x1b[0m\x1b[1;39m:\x1b[0m\x1b[0;32m"ansi-jq-47"\x1b[0m\x1b[1;39m}\x1b[0m',
      secrets: ['ansi-jq-47'],
    },
    {
      id: 'ansi-url-password',
      kind: 'ansi',
      text: 'connecting to postgres://app:\x1b[1mansi-url-48\x1b[0m@db.internal:5432/app',
      secrets: ['ansi-url-48'],
    },
    {
      id: 'ansi-token-split',
      kind: 'ansi',
      text: 'using \x1b[33mghp_\x1b[1mZz9yXw8vUt7sRq6pOn5mLk4jIh3gFe2dCb1a\x1b[0m',
      secrets: ['Zz9yXw8vUt7sRq6pOn5mLk4jIh3gFe2dCb1a'],
    },
    {
      id: 'ansi-flag',
      kind: 'ansi',
      text: 'mysql \x1b[1m--password\x1b[0m ansi-flag-50 --host db',
      secrets: ['ansi-flag-50'],
    },
    {
      id: 'ansi-osc-title',
      kind: 'ansi',
      text: '\x1b]0;deploy API_TOKEN=ansi-osc-51\x07deploying',
      secrets: ['ansi-osc-51'],
    },
    {
      id: 'ansi-hyperlink',
      kind: 'ansi',
      text: '\x1b]8;;https://deploy:ansi-link-52@git.example.com/r\x1b\\repo\x1b]8;;\x1b\\',
      secrets: ['ansi-link-52'],
    },
    {
      id: 'ansi-pem',
      kind: 'ansi',
      text: '\x1b[33m-----BEGIN PRIVATE KEY-----\x1b[0m\n\x1b[33mMIIEvQIBADANBgkqhkiG9w0BAQEFAAansiPemBody53\x1b[0m\n\x1b[33m-----END PRIVATE KEY-----\x1b[0m',
      secrets: ['MIIEvQIBADANBgkqhkiG9w0BAQEFAAansiPemBody53'],
    },
  ].map((s) => Object.freeze({ ...s, secrets: Object.freeze(s.secrets) })),
);

/** @type {import('./index.d.ts').EnvSecret[]} */
export const ENV_SECRETS = Object.freeze(
  [
    { name: 'SERVICE_SECRET', value: 'plainvalue-env-01', line: 'booting with plainvalue-env-01 as the seed' },
    { name: 'DB_PASSWORD', value: 'Tr0ub4dor&3', line: 'pgpass line db:5432:app:app:Tr0ub4dor&3' },
    { name: 'WEBHOOK_TOKEN', value: 'whk-0a1b2c3d', line: 'hook whk-0a1b2c3d registered' },
  ].map((e) => Object.freeze(e)),
);

export const ALL_SECRETS = Object.freeze([
  ...SECRET_SHAPES.flatMap((s) => s.secrets),
  ...ENV_SECRETS.map((e) => e.value),
]);

export function corpusText() {
  return `${[...SECRET_SHAPES.map((s) => s.text), ...ENV_SECRETS.map((e) => e.line)].join('\n')}\n`;
}

const HAND_WRITTEN = [
  '127.0.0.1 - - [03/Dec/2026:13:45:32 +0000] "GET /api/v1/users/42 HTTP/1.1" 200 512 "-" "curl/8.5.0"',
  '10.0.0.7 - alice [03/Dec/2026:13:45:33 +0000] "POST /login HTTP/1.1" 302 0 "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64)"',
  '::1 - - [03/Dec/2026:13:46:01 +0000] "GET /static/app.3f9a1c.js HTTP/2.0" 304 0 "-" "Mozilla/5.0"',
  'GET /health 200 1.2ms',
  'POST /api/orders 201 34ms request_id=7c9e6679-7425-40de-944b-e07fc1f90ae7',
  'INFO:     127.0.0.1:51234 - "GET /docs HTTP/1.1" 200 OK',
  'INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)',
  'INFO:     Started server process [12345]',
  'INFO:     Waiting for application startup.',
  '2026-12-03 13:45:32,123 [INFO] pactown.sandbox: Creating sandbox for service_123',
  '2026-12-03 13:45:32,456 [WARNING] pactown.sandbox: Port 8001 busy, trying 8002',
  'level=info ts=2026-12-03T13:45:32.123Z caller=main.go:42 msg="server started" port=8080',
  'level=debug msg="cache hit" key=user:42 ttl=300',
  'level=warn msg="slow query" duration_ms=1200 rows=5000 table=orders',
  'Traceback (most recent call last):',
  '  File "/srv/app/main.py", line 12, in <module>',
  '    import missing_module',
  "ModuleNotFoundError: No module named 'missing_module'",
  '  File "/usr/lib/python3.12/asyncio/runners.py", line 118, in run',
  '    return self._loop.run_until_complete(task)',
  "KeyError: 'user_id'",
  "TypeError: Cannot read properties of undefined (reading 'map')",
  '    at Object.<anonymous> (/srv/app/index.js:12:5)',
  '    at Module._compile (node:internal/modules/cjs/loader:1358:14)',
  '    at async Promise.all (index 0)',
  '    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
  'Error: connect ECONNREFUSED 127.0.0.1:5432',
  'java.lang.NullPointerException: Cannot invoke "String.length()" because "s" is null',
  '\tat com.example.App.main(App.java:17)',
  'panic: runtime error: index out of range [3] with length 3',
  'goroutine 1 [running]:',
  'SELECT id, name, email FROM users WHERE id = 42 LIMIT 1;',
  'INSERT INTO orders (id, user_id, total) VALUES (1001, 42, 19.99);',
  'UPDATE sessions SET last_seen = NOW() WHERE user_id = 42;',
  "SELECT count(*) FROM events WHERE created_at > now() - interval '1 day';",
  'CREATE INDEX CONCURRENTLY idx_orders_user ON orders (user_id);',
  'DELETE FROM cache WHERE expires_at < 1764769532;',
  'fetching https://api.example.com/v1/items?page=2&per_page=50',
  'redirect to https://example.com/login?next=%2Fdashboard',
  'cloning https://github.com/pactown/pactown-logging.git',
  'remote: git@github.com:pactown/pactown-logging.git',
  'ssh://git@gitlab.example.com:2222/group/project.git',
  'mailto:support@example.com',
  'see https://docs.example.com/guide#section-2 for details',
  'ws://localhost:3000/socket opened',
  'file:///srv/app/data/config.json loaded',
  'uuid 123e4567-e89b-12d3-a456-426614174000 assigned',
  'trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7',
  'commit 3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a',
  'HEAD is now at 9fceb02 Merge pull request #42 from feature/logging',
  'Merge: 1a2b3c4 5d6e7f8',
  'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'integrity sha512-9T6mfLrQjkZFOBkBuCZmHWvC3XX7YkCeUWqT0FqfaN2Iq1sYVpGvOjJoKZFYQRQ7l6TsKuq1kyU/x9zzO3pnlw==',
  'payload=aGVsbG8gd29ybGQsIHRoaXMgaXMgbm90IGEga2V5',
  'image data: iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'etag W/"5e15153d-120f"',
  'Content-Type: application/json; charset=utf-8',
  'Accept: text/html,application/xhtml+xml',
  'User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)',
  'Cache-Control: no-cache',
  'X-Request-Id: 7c9e6679-7425-40de-944b-e07fc1f90ae7',
  'Host: api.example.com',
  'Content-Length: 1024',
  'npm warn deprecated inflight@1.0.6: This module is not supported',
  'added 312 packages, and audited 313 packages in 4s',
  'Collecting fastapi==0.115.0',
  'Successfully installed fastapi-0.115.0 uvicorn-0.30.6 starlette-0.38.5',
  'pip install -r requirements.txt --no-cache-dir',
  'python -m uvicorn main:app --host 0.0.0.0 --port 8001',
  'node server.js --port 3000 --verbose',
  'docker run --rm -p 8080:80 nginx:1.27',
  'kubectl get pods -n production -o wide',
  'Listening on 0.0.0.0:8080',
  'Server ready in 532 ms',
  'Compiled successfully in 1.2s',
  'webpack 5.94.0 compiled with 2 warnings in 4213 ms',
  'PORT=8001 HOST=0.0.0.0 uvicorn main:app',
  'NODE_ENV=production LOG_LEVEL=info',
  'PATH=/usr/local/bin:/usr/bin:/bin',
  'PWD=/srv/app',
  'OLDPWD=/srv',
  'author: Jane Doe',
  'tokenizer: loaded 50257 tokens from vocab.json',
  'temperature=0.7 top_p=0.9',
  'passage 3 of 12 processed',
  'key_count=12 keys loaded',
  'the session expired, please log in again',
  'user bob logged in from 10.0.0.7',
  'Password reset email sent to user 42',
  'token bucket refilled: 100/100',
  'cookie consent banner shown',
  'secret santa draw complete',
  'authentication succeeded for user bob',
  'ISO date 2026-12-03T13:45:32.123+01:00',
  'elapsed 00:01:23.456',
  'memory rss=123456789 heapUsed=45678901',
  'retry 3/5 in 400ms',
  'sk-learn compatible estimator loaded',
  'task-runner-scheduler-worker-pool started',
  'desk-booking-service-api-gateway ready',
  'version 1.2.3-beta.4+build.5',
  'Downloading https://files.pythonhosted.org/packages/ab/cd/ef/pkg-1.0.tar.gz',
  'BEGIN TRANSACTION;',
  'COMMIT;',
  '-----BEGIN CERTIFICATE-----',
  '-----END CERTIFICATE-----',
  '-----BEGIN PUBLIC KEY-----',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host',
  'fingerprint SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8',
  '{"level":"info","msg":"request done","status":200,"path":"/api"}',
  '{"event":"signup","user_id":42,"plan":"free"}',
  '[1/4] Resolving packages...',
  'WARN  deprecated subdependencies found',
  'Exited with code 1',
  'Killed: 9',
  // Coloured output without a secret passes unchanged, escapes and all.
  '\x1b[32mINFO\x1b[0m Server started on port 8080',
  '\x1b[1m\x1b[31mERROR\x1b[0m request failed status=500 path=/api/orders',
  '\x1b[1m\x1b[32m PASS \x1b[39m\x1b[22m test/app.test.js (\x1b[0;33m1.2 s\x1b[0m)',
  'npm \x1b[33mWARN\x1b[39m deprecated inflight@1.0.6',
  '\x1b[2K\x1b[1G[=====>    ] 52% downloading',
  '\x1b[36mauthor\x1b[0m: Jane Doe',
  '\x1b[1mtokenizer\x1b[0m: loaded 50257 tokens',
  '\x1b[90mPWD\x1b[0m=/srv/app',
  '\x1b[2m2026-12-03 13:45:32\x1b[0m [\x1b[32minfo\x1b[0m] request done \x1b[36mstatus\x1b[0m=\x1b[35m200\x1b[0m',
  '\x1b]0;build: compiling\x07\x1b[34m==>\x1b[0m compiling 12 files',
  '\x1b]8;;https://docs.example.com/guide\x1b\\docs\x1b]8;;\x1b\\ for details',
  '\x1b[1;39m{\x1b[0m\x1b[34;1m"user"\x1b[0m\x1b[1;39m:\x1b[0m\x1b[0;32m"bob"\x1b[0m\x1b[1;39m}\x1b[0m',
  '\x1b[38;5;208mwarning\x1b[0m: unused variable `token_count`',
  '\x1b(B\x1b[m plain after a charset reset',
];

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const PATHS = [
  '/api/v1/users',
  '/api/v1/orders',
  '/health',
  '/metrics',
  '/static/css/site.css',
  '/api/v2/search',
  '/login',
  '/logout',
  '/api/v1/items/987',
];
const STATUSES = [200, 201, 204, 301, 304, 400, 401, 403, 404, 500, 502];
const HEX = '0123456789abcdef';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A small deterministic generator, so the corpus is the same on every run. */
function rng(seed) {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function generated() {
  const next = rng(20261203);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chars = (alphabet, n) => Array.from({ length: n }, () => pick(alphabet)).join('');
  const uuid = () => `${chars(HEX, 8)}-${chars(HEX, 4)}-4${chars(HEX, 3)}-a${chars(HEX, 3)}-${chars(HEX, 12)}`;
  const out = [];
  for (let i = 0; i < 40; i++) {
    const ip = `10.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}`;
    out.push(
      `${ip} - - [03/Dec/2026:14:${String(i % 60).padStart(2, '0')}:07 +0000] "${pick(METHODS)} ${pick(PATHS)} HTTP/1.1" ${pick(STATUSES)} ${Math.floor(next() * 9000)} "-" "python-requests/2.32.3"`,
    );
  }
  for (let i = 0; i < 20; i++)
    out.push(
      `request_id=${uuid()} method=${pick(METHODS)} path=${pick(PATHS)} status=${pick(STATUSES)} duration_ms=${Math.floor(next() * 900)}`,
    );
  for (let i = 0; i < 15; i++) out.push(`commit ${chars(HEX, 40)} (HEAD -> main)`);
  for (let i = 0; i < 15; i++) out.push(`upload chunk ${i} body=${chars(B64, 44)}==`);
  for (let i = 0; i < 10; i++) out.push(`    at handler${i} (/srv/app/routes/r${i}.js:${10 + i}:${5 + i})`);
  return out;
}

export const CLEAN_LINES = Object.freeze([...HAND_WRITTEN, ...generated()]);
