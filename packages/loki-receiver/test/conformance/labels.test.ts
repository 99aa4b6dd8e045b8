import { describe, expect, it } from 'vitest';
import { jsonBody, nowNs, protobufBody, push, values } from '../helpers.js';
import { humanizeBytes } from '../../src/labels.js';
import { sharedReceiver, withReceiver } from './setup.js';

// Loki 3.7.6: pkg/loghttp/push/push.go (ParseLokiRequest: syntax.ParseLabels on
// every stream, service_name added, s.Labels = lbs.String(), then
// CalculateStreamsStats parses s.Labels again), pkg/logql/syntax/parser.go
// (ParseLabels = Prometheus ParseMetric + WithoutEmpty), vendored
// prometheus/promql/parser/lex.go (raw strings: `invalid UTF-8 rune`),
// pkg/distributor/validator.go (ValidateLabels).

const shared = sharedReceiver({ discoverServiceName: false });
const pb = (labels: string, line = 'x', ts = nowNs()) => protobufBody([{ labels, entries: [{ ts, line }] }]);

describe('label text that does not parse refuses the whole push (push.go: "couldn\'t parse labels: %w")', () => {
  it("prints Prometheus' parse error, 1:COL: parse error: ..., and stores nothing", async () => {
    const body = protobufBody([
      { labels: '{a="good"}', entries: [{ ts: nowNs(), line: 'would be kept' }] },
      {
        labels: '{a=b}',
        entries: [
          { ts: nowNs(), line: 'refused 1' },
          { ts: nowNs(), line: 'refused 2' },
        ],
      },
    ]);
    const res = await push(shared.get().url, body);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^couldn't parse labels: 1:4: parse error: /);
    expect(shared.get().entryCount).toBe(0);
    expect(shared.get().stats()).toMatchObject({ acceptedLines: 0, rejectedLines: 3 });
  });

  it('refuses a label name outside [a-zA-Z_][a-zA-Z0-9_]* sent as JSON (loghttp/labels.go prints names unquoted)', async () => {
    const res = await push(
      shared.get().url,
      jsonBody([{ stream: { 'foo-bar': 'x' }, values: values([{ ts: nowNs(), line: 'l' }]) }]),
    );
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^couldn't parse labels: 1:5: parse error: /);
  });

  it('refuses a raw U+FFFD in a label value with "invalid UTF-8 rune" at the string (lex.go: lexString)', async () => {
    const res = await push(shared.get().url, pb('{a="ok", b="x\ufffdy"}'));
    expect(res.status).toBe(400);
    expect(res.text).toBe(`couldn't parse labels: 1:12: parse error: invalid UTF-8 rune\n`);
    expect(shared.get().entryCount).toBe(0);
  });

  it('refuses invalid UTF-8 bytes in protobuf label text the same way (Go reads them as utf8.RuneError)', async () => {
    // The label string field carries the bytes 0xff 0xfe inside the quoted value.
    const labels = Buffer.concat([Buffer.from('{a="'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]).toString(
      'latin1',
    );
    const body = protobufBody([
      { labels: Buffer.from(labels, 'latin1').toString('utf8'), entries: [{ ts: nowNs(), line: 'x' }] },
    ]);
    const res = await push(shared.get().url, body);
    expect(res.status).toBe(400);
    expect(res.text).toContain('invalid UTF-8 rune');
  });

  it('also refuses an escaped \\ufffd: Loki prints the value raw in lbs.String() and parses it again (push.go: CalculateStreamsStats)', async () => {
    const res = await push(shared.get().url, pb('{a="x\\ufffd"}'));
    expect(res.status).toBe(400);
    expect(res.text).toBe(`couldn't parse labels: 1:4: parse error: invalid UTF-8 rune\n`);
  });

  it('accepts other escapes and stores the decoded value (strconv.Unquote rules)', async () => {
    expect((await push(shared.get().url, pb('{path="C:\\\\tmp \\"x\\"\\n", emoji="\\u00e9t\\xc3\\xa9"}'))).status).toBe(
      204,
    );
    expect(shared.get().entries()[0]!.labels).toEqual({ path: 'C:\\tmp "x"\n', emoji: 'été' });
  });

  it('refuses non-equality matchers in pushed labels', async () => {
    expect((await push(shared.get().url, pb('{a=~"b"}'))).status).toBe(400);
  });
});

describe("the size of one stream's label text (push.go and parser.go: maxStreamLabelsSize)", () => {
  // push.go checks len(s.Labels) > 1<<24 before parsing and answers 413
  // (ErrRequestBodyTooLarge, sizes printed by go-humanize's SI Bytes);
  // syntax.ParseLabels then refuses more than 1<<24 - 1 bytes, a parse error (400).
  const text = (bytes: number, unit = 'v') => `{a="${unit.repeat((bytes - 6) / Buffer.byteLength(unit))}"}`;

  it('refuses the whole push with 413 when a label text is over 16 MiB, before any stream is parsed', async () => {
    const big = text(2 ** 24 + 2);
    expect(Buffer.byteLength(big)).toBe(2 ** 24 + 2);
    const body = protobufBody([
      { labels: '{a="good"}', entries: [{ ts: nowNs(), line: 'would be kept' }] },
      { labels: big, entries: [{ ts: nowNs(), line: 'refused' }] },
      { labels: '{a=b}', entries: [{ ts: nowNs(), line: 'never parsed' }] },
    ]);
    const res = await push(shared.get().url, body);
    expect(res.status).toBe(413);
    expect(res.text).toBe('request body too large: stream labels size 17 MB exceeds limit of 17 MB\n');
    expect(shared.get().entryCount).toBe(0);
    expect(shared.get().stats()).toMatchObject({ acceptedLines: 0, rejectedLines: 3 });
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const wide = text(2 ** 24 + 6, 'é');
    expect(wide.length).toBeLessThan(2 ** 24 / 1.9);
    const res = await push(shared.get().url, pb(wide));
    expect(res.status).toBe(413);
    expect(res.text).toMatch(/^request body too large: stream labels size 17 MB exceeds limit of 17 MB\n$/);
  });

  it('a label text of exactly 16 MiB passes the push check but not ParseLabels: 400', async () => {
    const res = await push(shared.get().url, pb(text(2 ** 24)));
    expect(res.status).toBe(400);
    expect(res.text).toBe("couldn't parse labels: labels size 16 MiB exceeds limit of 15\n");
    expect(shared.get().entryCount).toBe(0);
  });

  it('streams are checked in order: an earlier unparsable text wins over a later oversized one', async () => {
    const body = protobufBody([
      { labels: '{a=b}', entries: [{ ts: nowNs(), line: 'x' }] },
      { labels: text(2 ** 24 + 2), entries: [{ ts: nowNs(), line: 'y' }] },
    ]);
    const res = await push(shared.get().url, body);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^couldn't parse labels: 1:4: parse error: /);
  });

  it('prints sizes as go-humanize Bytes does (SI units, one decimal below 10, ties to even)', () => {
    expect(humanizeBytes(9)).toBe('9 B');
    expect(humanizeBytes(82_854_982)).toBe('83 MB'); // go-humanize's own example
    expect(humanizeBytes(1_500)).toBe('1.5 kB');
    expect(humanizeBytes(12_500_000)).toBe('12 MB');
    expect(humanizeBytes(13_500_000)).toBe('14 MB');
    expect(humanizeBytes(2 ** 24)).toBe('17 MB');
  });
});

describe('ValidateLabels (pkg/distributor/validator.go, messages from pkg/validation/validate.go)', () => {
  it('prints the rewritten, sorted label text (push.go sets s.Labels = lbs.String())', async () => {
    const longValue = 'v'.repeat(2049);
    const res = await push(shared.get().url, pb(`{b="1",a="${longValue}"}`));
    expect(res.status).toBe(400);
    expect(res.text).toBe(`stream '{a="${longValue}", b="1"}' has label value too long: '${longValue}'\n`);
  });

  it('refuses more than 15 label names, service_name not counted', async () => {
    const stream = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`l${String(i).padStart(2, '0')}`, 'v']));
    const res = await push(shared.get().url, jsonBody([{ stream, values: values([{ ts: nowNs(), line: 'l' }]) }]));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^entry for stream '\{l00="v", .*\}' has 16 label names; limit 15\n$/);
    const fifteen = { ...Object.fromEntries(Object.entries(stream).slice(0, 15)), service_name: 's' };
    expect(
      (await push(shared.get().url, jsonBody([{ stream: fifteen, values: values([{ ts: nowNs(), line: 'l' }]) }])))
        .status,
    ).toBe(204);
  });

  it('measures names and values in UTF-8 bytes (Go len)', async () => {
    const value = 'é'.repeat(1025);
    const res = await push(shared.get().url, pb(`{a="${value}"}`));
    expect(res.text).toBe(`stream '{a="${value}"}' has label value too long: '${value}'\n`);
    expect((await push(shared.get().url, pb(`{a="${'é'.repeat(1024)}"}`))).status).toBe(204);
    const longName = `n${'a'.repeat(1024)}`;
    expect((await push(shared.get().url, pb(`{${longName}="v"}`))).text).toBe(
      `stream '{${longName}="v"}' has label name too long: '${longName}'\n`,
    );
  });

  it('refuses duplicate label names', async () => {
    expect((await push(shared.get().url, pb('{b="1",a="1",b="2"}'))).text).toBe(
      `stream '{a="1", b="1", b="2"}' has duplicate label name: 'b'\n`,
    );
  });

  it('drops labels with empty values, and refuses a stream left with none (parser.go: WithoutEmpty)', async () => {
    expect((await push(shared.get().url, pb('{a="b", c=""}'))).status).toBe(204);
    expect(shared.get().entries()[0]!.labels).toEqual({ a: 'b' });
    const res = await push(shared.get().url, pb('{a=""}'));
    expect(res.status).toBe(400);
    expect(res.text).toBe('error at least one label pair is required per stream\n');
  });

  it('accepts names starting with __ (the push path does not reserve them)', async () => {
    expect((await push(shared.get().url, pb('{__name__="x", __proto__="p"}'))).status).toBe(204);
    expect(Object.entries(shared.get().entries()[0]!.labels)).toEqual([
      ['__name__', 'x'],
      ['__proto__', 'p'],
    ]);
  });
});

describe('service_name (push.go: ParseLokiRequest; limits.go: discover_service_name)', () => {
  it("adds service_name from the first of Loki 3.7's labels that has a value, by default", async () => {
    await withReceiver({}, async (r) => {
      expect((await push(r.url, pb('{job="j", app="a", level="info"}'))).status).toBe(204);
      expect((await push(r.url, pb('{k8s_job_name="batch"}'))).status).toBe(204);
      expect((await push(r.url, pb('{app_name="n", job="j"}'))).status).toBe(204);
      expect(
        r
          .entries()
          .map((e) => e.labels.service_name)
          .sort(),
      ).toEqual(['a', 'batch', 'n']);
    });
  });

  it('uses unknown_service when none is found, so a stream without labels is accepted', async () => {
    await withReceiver({}, async (r) => {
      expect((await push(r.url, pb('{}'))).status).toBe(204);
      expect((await push(r.url, pb('{other="x"}'))).status).toBe(204);
      expect(
        r
          .entries()
          .map((e) => e.stream)
          .sort(),
      ).toEqual(['{other="x", service_name="unknown_service"}', '{service_name="unknown_service"}']);
    });
  });

  it('keeps a pushed service_name, and prints the rewritten labels in errors', async () => {
    await withReceiver({}, async (r) => {
      expect((await push(r.url, pb('{service_name="mine", app="a"}'))).status).toBe(204);
      expect(r.entries()[0]!.labels.service_name).toBe('mine');
      const longValue = 'v'.repeat(2049);
      const res = await push(r.url, pb(`{b="1",a="${longValue}"}`));
      expect(res.text).toBe(
        `stream '{a="${longValue}", b="1", service_name="unknown_service"}' has label value too long: '${longValue}'\n`,
      );
    });
  });

  it('is off with discoverServiceName: false, and takes a custom list', async () => {
    expect((await push(shared.get().url, pb('{app="a"}'))).status).toBe(204);
    expect(shared.get().entries()[0]!.labels).toEqual({ app: 'a' });
    await withReceiver({ discoverServiceName: ['team'] }, async (r) => {
      await push(r.url, pb('{app="a", team="t"}'));
      expect(r.entries()[0]!.labels.service_name).toBe('t');
    });
  });
});
