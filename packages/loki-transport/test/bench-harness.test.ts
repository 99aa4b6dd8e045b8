// The benchmark's receiver and decoder (bench/): what a shipper sends is counted after the run,
// and a line the shipper adds itself (its counters report) is neither a crash nor a delivery.
import { describe, expect, it } from 'vitest';
import { startSink } from '../bench/run.js';

async function push(url: string, lines: string[]): Promise<number> {
  const body = JSON.stringify({
    streams: [{ stream: { service: 'api' }, values: lines.map((l, i) => [String(Date.now() * 1e6 + i), l]) }],
  });
  const res = await fetch(`${url}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return res.status;
}

describe('bench sink and decoder', () => {
  it("counts the workload's lines by sequence number and sets a shipper's own lines apart", async () => {
    const sink = await startSink();
    try {
      expect(await push(sink.url, ['request done (#0)', 'request done (#2)'])).toBe(204);
      expect(
        await push(sink.url, [
          'level=info logger=pactown.loki msg="loki transport counters" sentLines=2',
          'request done (#1)',
          'request done (#1)',
        ]),
      ).toBe(204);
      const d = await sink.collect(3);
      expect(d.bodies).toBe(2);
      expect(d.delivered).toBe(3);
      expect(d.duplicates).toBe(1);
      expect(d.foreign).toBe(1);
      expect(Number.isFinite(d.completeAt)).toBe(true);
    } finally {
      await sink.stop();
    }
  });

  it('a line numbered beyond what was logged is an error, not a delivery', async () => {
    const sink = await startSink();
    try {
      await push(sink.url, ['request done (#5)']);
      await expect(sink.collect(3)).rejects.toThrow(/line #5 was never logged/);
    } finally {
      await sink.stop();
    }
  });
});
