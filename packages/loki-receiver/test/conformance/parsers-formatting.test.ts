import { describe, expect, it } from 'vitest';
import { nowNs, protobufBody, push } from '../helpers.js';
import { sharedReceiver } from './setup.js';

// Loki 3.7.6: docs/sources/query/log_queries/_index.md (the "Regular
// expression", "Pattern", "unpack", "Line format expression" and "Labels
// format expression" sections), docs/sources/query/template_functions.md,
// pkg/logql/log/parser.go (RegexpParser, PatternParser, UnpackParser),
// pkg/logql/log/pattern/pattern.go (how a pattern matches a line),
// pkg/logql/log/fmt.go (LineFormatter, LabelsFormatter, the function list),
// pkg/logql/syntax/ast.go (`invalid regexp parser: ...`, stage errors).

const shared = sharedReceiver({ discoverServiceName: false, discoverLogLevels: false });

const ACCESS = [
  '10.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
  '10.0.0.2 - bob [10/Oct/2000:13:55:37 -0700] "POST /login HTTP/1.1" 500 12',
  'not an access line',
];

async function seed(lines: string[], labels = '{app="web"}'): Promise<bigint> {
  const t = nowNs(-1000);
  const body = protobufBody([{ labels, entries: lines.map((line, i) => ({ ts: t + BigInt(i), line })) }]);
  expect((await push(shared.get().url, body)).status).toBe(204);
  return t;
}

/** [labels, line] per returned entry, oldest first, over HTTP. */
async function rows(query: string): Promise<Array<[Record<string, string>, string]>> {
  const qs = new URLSearchParams({ query, direction: 'forward', start: String(nowNs(-60_000)) });
  const res = await fetch(`${shared.get().url}/loki/api/v1/query_range?${qs}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const data = JSON.parse(text).data as { result: Array<{ stream: Record<string, string>; values: string[][] }> };
  return data.result
    .flatMap((s) => s.values.map((v) => [s.stream, v[0]!, v[1]!] as const))
    .sort((a, b) => (BigInt(a[1]) < BigInt(b[1]) ? -1 : 1))
    .map(([stream, , line]) => [stream, line]);
}

async function refused(query: string): Promise<string> {
  const res = await fetch(`${shared.get().url}/loki/api/v1/query_range?${new URLSearchParams({ query })}`);
  const text = await res.text();
  expect(res.status, text).toBe(400);
  return text.trim();
}

describe('| json and | logfmt with parameters (docs: log queries, "JSON", "logfmt"; parser.go JSONExpressionParser)', () => {
  it('takes only the named paths; a missing path gives an empty label, an object its JSON text', async () => {
    await seed([
      JSON.stringify({ req: { method: 'GET', headers: { 'User-Agent': 'curl' } }, servers: ['a', 'b'], n: 3 }),
    ]);
    const [[labels]] = (await rows(
      '{app="web"} | json method="req.method", ua=`req.headers["User-Agent"]`, first="servers[0]", n, missing="x.y", h="req.headers"',
    )) as [[Record<string, string>, string]];
    expect(labels).toEqual({
      app: 'web',
      method: 'GET',
      ua: 'curl',
      first: 'a',
      n: '3',
      missing: '',
      h: '{"User-Agent":"curl"}',
    });
  });

  it('logfmt keys by name, and a path Loki cannot read is its stage error', async () => {
    await seed(['level=info took=3ms msg="hi there"']);
    expect((await rows('{app="web"} | logfmt lvl="level", msg'))[0]![0]).toEqual({
      app: 'web',
      lvl: 'info',
      msg: 'hi there',
    });
    expect(await refused('{app="web"} | json a="b..c"')).toContain('cannot parse expression [b..c]');
  });
});

describe('| regexp (docs: log queries, "Regular expression"; parser.go RegexpParser)', () => {
  it("adds each named group of the first match; a line that does not match keeps Loki's labels only", async () => {
    await seed(ACCESS);
    const out = await rows('{app="web"} | regexp `(?P<ip>\\S+) .* "(?P<method>[A-Z]+) (?P<path>\\S+)`');
    expect(out[0]).toEqual([{ app: 'web', ip: '10.0.0.1', method: 'GET', path: '/apache_pb.gif' }, ACCESS[0]]);
    expect(out[1]![0]).toMatchObject({ method: 'POST', path: '/login' });
    // No match: not filtered out, nothing added (the docs: "If the regex doesn't match the line is not filtered out").
    expect(out[2]).toEqual([{ app: 'web' }, ACCESS[2]]);
  });

  it('a name that is already a stream label gets _extracted', async () => {
    await seed(['app=other']);
    expect((await rows('{app="web"} | regexp "app=(?P<app>\\\\w+)"'))[0]![0]).toEqual({
      app: 'web',
      app_extracted: 'other',
    });
  });

  it('refuses a pattern without a named group, or with a name twice, at parse time', async () => {
    expect(await refused('{app="web"} | regexp "(a)"')).toBe(
      'parse error : invalid regexp parser: at least one named capture must be supplied',
    );
    expect(await refused('{app="web"} | regexp "(?P<a>x)(?P<a>y)"')).toBe(
      "parse error : invalid regexp parser: duplicate extracted label name 'a'",
    );
    expect(await refused('{app="web"} | regexp "(?P<a>x"')).toContain(
      'invalid regexp parser: error parsing regexp: missing closing )',
    );
  });
});

describe('| pattern (docs: log queries, "Pattern"; pattern/pattern.go Matches)', () => {
  it("extracts the docs' access-log example, <_> capturing nothing", async () => {
    await seed(ACCESS);
    const out = await rows(
      '{app="web"} | pattern `<ip> - <user> [<_>] "<method> <uri> <_>" <status> <size>` | status >= 500',
    );
    expect(out).toEqual([
      [
        { app: 'web', ip: '10.0.0.2', user: 'bob', method: 'POST', uri: '/login', status: '500', size: '12' },
        ACCESS[1],
      ],
    ]);
  });

  it('a line must begin with the leading literal; a missing literal gives the rest of the line to the capture before it', async () => {
    await seed(['GET /a 200', 'x GET /b', 'GET /c']);
    const out = await rows('{app="web"} | pattern "GET <path> <status>"');
    expect(out.map(([labels]) => labels)).toEqual([
      { app: 'web', path: '/a', status: '200' },
      { app: 'web' },
      { app: 'web', path: '/c' },
    ]);
  });

  it("refuses what Loki's pattern parser refuses", async () => {
    expect(await refused('{app="web"} | pattern "<_> x"')).toBe(
      'parse error : invalid pattern parser: at least one capture is required',
    );
    expect(await refused('{app="web"} | pattern "<a><b>"')).toBe(
      "parse error : invalid pattern parser: found consecutive capture '<a><b>': invalid expression",
    );
    expect(await refused('{app="web"} | pattern "<a> <a>"')).toBe(
      'parse error : invalid pattern parser: duplicate capture name (a): invalid expression',
    );
  });
});

describe('|> and !> (docs: log queries, "Pattern match filter expression"; pattern.go Matcher.Test)', () => {
  it('keeps the lines whose literals appear in order, a trailing literal ending the line', async () => {
    await seed(ACCESS);
    const lines = async (q: string) => (await rows(q)).map(([, l]) => l);
    expect(await lines('{app="web"} |> "<_> \\"GET <_>\\" 200 <_>"')).toEqual([ACCESS[0]]);
    expect(await lines('{app="web"} !> "<_> - <_> [<_>] <_>"')).toEqual([ACCESS[2]]);
    // A pattern ending on a literal must end the line; `or` gives alternatives.
    expect(await lines('{app="web"} |> "<_> 12" or "<_> 2326"')).toEqual([ACCESS[0], ACCESS[1]]);
    expect(await lines('{app="web"} |> "<_> 200"')).toEqual([]);
  });

  it('refuses named captures in a filter', async () => {
    expect(await refused('{app="web"} |> "<ip> x"')).toContain("named captures are not allowed: found '<ip>'");
  });
});

describe('| unpack (docs: log queries, "unpack"; parser.go UnpackParser)', () => {
  it('a packed entry becomes its _entry line and its string fields labels; other lines are left as they are', async () => {
    await seed([
      JSON.stringify({ container: 'api', pod: 'p-1', n: 3, _entry: 'original line' }),
      JSON.stringify({ container: 'api' }),
      'plain text',
    ]);
    const out = await rows('{app="web"} | unpack');
    expect(out[0]).toEqual([{ app: 'web', container: 'api', pod: 'p-1' }, 'original line']);
    // Without _entry Loki takes no labels from the object.
    expect(out[1]).toEqual([{ app: 'web' }, JSON.stringify({ container: 'api' })]);
    expect(out[2]![0]).toMatchObject({ __error__: 'JSONParserErr' });
    expect(await rows('{app="web"} | unpack | __error__=""')).toHaveLength(2);
  });
});

describe('| line_format (docs: "Line format expression", template functions; fmt.go)', () => {
  it('rewrites the line from labels with Go template syntax and Loki’s functions', async () => {
    await seed(['level=info msg="user created" user=ada took=15ms', 'level=error msg=boom']);
    const out = await rows(
      '{app="web"} | logfmt | line_format `{{ .level | ToUpper }} {{ printf "%-6s|" .msg }} {{ default "nobody" .user }}{{ if eq .level "error" }} !{{ end }}`',
    );
    expect(out.map(([, line]) => line)).toEqual(['INFO user created| ada', 'ERROR boom  | nobody !']);
  });

  it('trunc, replace, regexReplaceAll, __line__ and a label copied straight', async () => {
    await seed(['level=info msg="hello world" path=/api/v1/users/42']);
    const line = async (template: string) => (await rows(`{app="web"} | logfmt | line_format \`${template}\``))[0]![1];
    expect(await line('{{ trunc 5 .msg }}|{{ trunc -5 .msg }}')).toBe('hello|world');
    expect(await line('{{ replace "world" "there" .msg }}')).toBe('hello there');
    expect(await line('{{ regexReplaceAll "[0-9]+" .path "<id>" }}')).toBe('/api/v<id>/users/<id>');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's ${2} group reference, not a JS placeholder.
    expect(await line('{{ regexReplaceAll "(\\\\w+) (\\\\w+)" .msg "${2}-$1" }}')).toBe('world-hello');
    expect(await line('{{ __line__ | len }} {{ .missing }}.')).toBe('50 .');
    expect(await line('{{.path}}')).toBe('/api/v1/users/42');
    expect(await line('{{ .msg | lower | title }} {{ add 1 2 }} {{ div 7 2 }} {{ mulf 1.5 2 }}')).toBe(
      'Hello World 3 3 3',
    );
  });

  it('a template that fails on a line keeps the line and sets __error__ to TemplateFormatErr', async () => {
    await seed(['n=1']);
    const [[labels, line]] = (await rows('{app="web"} | logfmt | line_format "{{ ToUpper 1 }}"')) as [
      [Record<string, string>, string],
    ];
    expect(line).toBe('n=1');
    expect(labels).toMatchObject({ __error__: 'TemplateFormatErr' });
  });

  it("refuses a template Go's parser refuses, in Loki's stage error", async () => {
    expect(await refused('{app="web"} | line_format "{{ nope .a }}"')).toBe(
      `parse error : stage '| line_format "{{ nope .a }}"' : invalid line template: template: line:1: function "nope" not defined`,
    );
    expect(await refused('{app="web"} | line_format "{{ .a "')).toContain('invalid line template: template: line:1:');
  });
});

describe('| label_format (docs: "Labels format expression"; fmt.go LabelsFormatter)', () => {
  it('renames (the old name goes away) and sets labels from templates', async () => {
    await seed(['level=warn status=404 took=3ms']);
    const [[labels]] = (await rows(
      '{app="web"} | logfmt | label_format severity=level, summary="{{.status}} in {{.took}}", app="{{ .app | upper }}"',
    )) as [[Record<string, string>, string]];
    expect(labels).toEqual({ app: 'WEB', severity: 'warn', status: '404', summary: '404 in 3ms', took: '3ms' });
  });

  it('refuses the same name twice and __error__ as a target', async () => {
    expect(await refused('{app="web"} | label_format a=b, a=c')).toBe(
      "parse error : stage '| label_format a=b,a=c' : multiple label name 'a' not allowed in a single format operation",
    );
    expect(await refused('{app="web"} | label_format __error__=a')).toContain('__error__ cannot be formatted');
  });
});
