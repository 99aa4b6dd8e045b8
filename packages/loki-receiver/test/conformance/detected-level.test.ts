import { describe, expect, it } from 'vitest';
import { nowNs, protobufBody, push } from '../helpers.js';
import { sharedReceiver, withReceiver } from './setup.js';

// Loki 3.7.6: pkg/distributor/field_detection.go (extractLogLevel and helpers),
// pkg/distributor/distributor.go (structured metadata names normalized with
// otlptranslator's LabelNamer, U+FFFD removed from values, detected_level
// appended when discover_log_levels and allow_structured_metadata are on),
// pkg/validation/limits.go (log_level_fields, discover_log_levels default true).

const shared = sharedReceiver({ discoverServiceName: false });

async function levelOf(labels: string, line: string, meta?: Record<string, string>): Promise<string | undefined> {
  const r = shared.get();
  r.reset();
  const res = await push(r.url, protobufBody([{ labels, entries: [{ ts: nowNs(), line, meta }] }]));
  expect(res.status).toBe(204);
  return r.entries()[0]!.structuredMetadata.detected_level;
}

describe('detected_level (field_detection.go)', () => {
  it.each([
    ['{app="a", level="WARN"}', 'anything', 'warn'],
    ['{app="a", lvl="dbg"}', 'anything', 'debug'],
    ['{app="a", level="notice"}', 'anything', 'notice'],
    ['{app="a"}', '{"msg":"x","level":"ERROR"}', 'error'],
    ['{app="a"}', '{"msg":"x","ctx":{"severity":"fatal"}}', 'fatal'],
    ['{app="a"}', '{"a":{"b":{"level":"info"}}}', 'info'], // too deep for the JSON walk, found by the word scan
    ['{app="a"}', '{"a":{"b":{"level":"infos"}}}', 'unknown'],
    ['{app="a"}', 'ts=1 level=inf msg=hello', 'info'],
    ['{app="a"}', 'ts=1 Severity=warning msg="x y"', 'warn'],
    ['{app="a"}', 'Traceback: an ERROR happened', 'error'],
    ['{app="a"}', 'misc:error is not a level, but [warn] is', 'warn'],
    ['{app="a"}', 'nothing to see', 'unknown'],
    ['{app="a"}', 'debug: starting', 'debug'],
  ])('labels %s, line %j -> %s', async (labels, line, level) => {
    expect(await levelOf(labels, line)).toBe(level);
  });

  it('reads a level from structured metadata, then the OTLP severity_number', async () => {
    expect(await levelOf('{app="a"}', 'plain', { severity: 'Error' })).toBe('error');
    expect(await levelOf('{app="a"}', 'plain', { severity_number: '13' })).toBe('warn');
    expect(await levelOf('{app="a"}', 'plain', { severity_number: 'x' })).toBe('info');
  });

  it('keeps a pushed detected_level, normalizing known names', async () => {
    expect(await levelOf('{app="a"}', 'error here', { detected_level: 'WRN' })).toBe('warn');
    expect(await levelOf('{app="a"}', 'error here', { detected_level: 'custom' })).toBe('custom');
  });

  it('is off with discoverLogLevels: false or allowStructuredMetadata: false', async () => {
    for (const options of [{ discoverLogLevels: false }, { allowStructuredMetadata: false }]) {
      await withReceiver(options, async (r) => {
        expect(
          (await push(r.url, protobufBody([{ labels: '{app="a"}', entries: [{ ts: nowNs(), line: 'error' }] }])))
            .status,
        ).toBe(204);
        expect(r.entries()[0]!.structuredMetadata).toEqual({});
      });
    }
  });
});

describe('structured metadata names and values (distributor.go: LabelNamer, removeInvalidUtf)', () => {
  it('rewrites names to Prometheus label names and drops U+FFFD from values', async () => {
    const r = shared.get();
    r.reset();
    const meta = { 'trace.id': 't', user__id: 'u', '9lives': 'c', ok: 'a\ufffdb' };
    expect(
      (await push(r.url, protobufBody([{ labels: '{app="a"}', entries: [{ ts: nowNs(), line: 'info', meta }] }])))
        .status,
    ).toBe(204);
    expect(r.entries()[0]!.structuredMetadata).toEqual({
      trace_id: 't',
      user_id: 'u',
      key_9lives: 'c',
      ok: 'ab',
      detected_level: 'info',
    });
  });

  it('answers 500 to a name LabelNamer cannot build (an error that is not an httpgrpc error)', async () => {
    const res = await push(
      shared.get().url,
      protobufBody([{ labels: '{app="a"}', entries: [{ ts: nowNs(), line: 'x', meta: { '...': 'v' } }] }]),
    );
    expect(res.status).toBe(500);
    expect(res.text).toBe('normalization for label name "..." resulted in invalid name "_"\n');
  });
});
