import { nodeService } from '@pactown/test-helpers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerLines, boundTail } from '../src/services/answer-bounds.js';
import { type Harness, startHarness } from './helpers/harness.js';

const MAX_LINES = 100;
const MAX_BYTES = 16 * 1024;

describe('output before readiness is unbounded (issue 15 item 14)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      loki: false,
      env: { PACTOWN_ANSWER_MAX_LINES: String(MAX_LINES), PACTOWN_ANSWER_MAX_BYTES: String(MAX_BYTES) },
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('a service printing 40,000 lines before it is ready gets an answer of its first and last lines', async () => {
    const lines = 40_000;
    const res = await h.request('POST', '/run', {
      service_id: 'chatty',
      content: nodeService({ lines, prefix: `chatty ${'x'.repeat(60)}` }),
    });
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(Buffer.byteLength(res.text)).toBeLessThan(MAX_BYTES * 2);
    const logs: string[] = res.body.logs;
    expect(logs.length).toBeLessThanOrEqual(MAX_LINES);
    const marker = logs.findIndex((l) => /^… \d+ lines omitted …$/.test(l));
    expect(marker).toBeGreaterThan(0);
    const omitted = Number(/\d+/.exec(logs[marker]!)![0]);
    // The first lines and the last ones, each run unbroken, and the gap between them counted exactly
    // (the answer goes out once the service is ready, so lines still in the pipe then are not in it).
    const numbers = (part: string[]) =>
      part.filter((l) => l.startsWith('chatty ')).map((l) => Number(l.split(' ').at(-1)));
    const head = numbers(logs.slice(0, marker));
    const tail = numbers(logs.slice(marker + 1));
    expect(head[0]).toBe(0);
    expect(head).toEqual(head.map((_, i) => i));
    expect(tail).toEqual(tail.map((_, i) => tail[0]! + i));
    const runnerLinesOmitted = omitted - (tail[0]! - head.length);
    expect(runnerLinesOmitted).toBeGreaterThanOrEqual(0);
    expect(runnerLinesOmitted).toBeLessThan(20);
    expect(tail[0]! - head.length).toBeGreaterThan(1000);
    const metrics = (await h.request('GET', '/metrics')).text;
    expect(Number(/^pactown_runner_dropped_lines_total\{reason="answer_bound"\} (\d+)$/m.exec(metrics)?.[1])).toBe(
      omitted,
    );
    expect((await h.request('GET', '/health')).body.dropped.answer_bound).toBe(omitted);
  });

  it('2 MB of stderr before a crash gives a bounded stderr_output that keeps the end', async () => {
    const fence = '```';
    const content = `# Noisy\n\n${fence}javascript markpact:file path=noisy.mjs\nlet out = '';\nfor (let i = 0; i < 20000; i++) out += 'noise ' + i + ' ' + 'n'.repeat(90) + '\\n';\nprocess.stderr.write(out + 'FATAL: the real error\\n', () => process.exit(2));\n${fence}\n\n${fence}bash markpact:run\nnode noisy.mjs\n${fence}\n`;
    const res = await h.request('POST', '/run', { service_id: 'noisy', content });
    expect(res.body, res.text.slice(0, 300)).toMatchObject({ success: false });
    const stderr: string = res.body.stderr_output;
    expect(Buffer.byteLength(stderr)).toBeLessThanOrEqual(MAX_BYTES);
    expect(stderr.split('\n').length).toBeLessThanOrEqual(MAX_LINES + 1);
    expect(stderr).toMatch(/^… \d+ bytes \(\d+ lines\) omitted …\n/);
    expect(stderr.trimEnd().endsWith('FATAL: the real error')).toBe(true);
    expect(res.body.logs.length).toBeLessThanOrEqual(MAX_LINES);
    expect(Buffer.byteLength(res.text)).toBeLessThan(MAX_BYTES * 3);
  });
});

describe('AnswerLines and boundTail', () => {
  it('keep every line up to the bounds, and past them the first and last with an exact count', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 200 }), { maxLength: 400 }),
        fc.integer({ min: 10, max: 60 }),
        fc.integer({ min: 4096, max: 20_000 }),
        (input, maxLines, maxBytes) => {
          const a = new AnswerLines({ maxLines, maxBytes });
          for (const l of input) a.push(l);
          const out = a.lines();
          expect(out.length).toBeLessThanOrEqual(maxLines);
          expect(Buffer.byteLength(out.join('\n'))).toBeLessThanOrEqual(maxBytes + 64);
          if (a.omitted === 0) expect(out).toEqual(input);
          else expect(out.length - 1 + a.omitted).toBe(input.length);
          const t = boundTail(input.join('\n'), { maxLines, maxBytes });
          expect(Buffer.byteLength(t.text)).toBeLessThanOrEqual(maxBytes);
          if (t.omittedBytes === 0) expect(t.text).toBe(input.join('\n'));
        },
      ),
    );
  });
});
