/**
 * The soak's Loki receiver in a process of its own, so its decoding never slows the
 * harness that reads the SSE streams. Prints {"url"} once listening, then answers one
 * JSON command per stdin line with one JSON line:
 *   {"cmd":"down"} {"cmd":"up"} {"cmd":"fail","count":N,"status":S,"retryAfter":R}
 *   {"cmd":"latency","ms":M} {"cmd":"count"} {"cmd":"lines","pattern":"regex"}
 * `lines` answers, per first capture group of the pattern, the second group's numbers seen.
 */
import { createInterface } from 'node:readline';
import { startLokiReceiver } from '@pactown/loki-receiver';

// Loki 3's ingestion rate limits off: the soak's only faults are the ones it asks for.
const receiver = await startLokiReceiver({
  host: '127.0.0.1',
  port: 0,
  ingestionRateBytes: Number.POSITIVE_INFINITY,
  perStreamRateBytes: Number.POSITIVE_INFINITY,
});
const reply = (obj: unknown) => process.stdout.write(`${JSON.stringify(obj)}\n`);
reply({ url: receiver.url });
for await (const text of createInterface({ input: process.stdin })) {
  const c = JSON.parse(text) as {
    cmd: string;
    count?: number;
    status?: number;
    retryAfter?: number;
    ms?: number;
    pattern?: string;
  };
  if (c.cmd === 'down') await receiver.down({ mode: 'reset' });
  else if (c.cmd === 'up') await receiver.up();
  else if (c.cmd === 'fail')
    receiver.failNext(c.count!, c.status!, c.retryAfter === undefined ? {} : { retryAfter: c.retryAfter });
  else if (c.cmd === 'latency') receiver.setLatency(c.ms!);
  else if (c.cmd === 'lines') {
    const re = new RegExp(c.pattern!);
    const seen: Record<string, number[]> = {};
    for (const e of receiver.entries()) {
      const m = re.exec(e.line);
      if (m) (seen[m[1]!] ??= []).push(Number(m[2]));
    }
    reply({ seen });
    continue;
  }
  reply({ ok: true, count: receiver.entryCount, down: receiver.isDown });
}
await receiver.close();
