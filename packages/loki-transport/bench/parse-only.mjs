// A pino transport that only reads each line and parses it, nothing else: no
// shaping, no encoding, no network. The benchmark runs it to show the most any
// pino transport that reads its lines could reach here. It tells the main
// thread (pino re-emits 'EVENT' messages on the transport stream) the moment
// it has parsed `count` lines.
import { Writable } from 'node:stream';
import { parentPort } from 'node:worker_threads';

export default function parseOnly({ count }) {
  let seen = 0;
  let carry = '';
  return new Writable({
    decodeStrings: false,
    highWaterMark: 16 * 1024 * 1024,
    write(chunk, _encoding, callback) {
      const text = carry + chunk;
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl === -1) break;
        JSON.parse(text.slice(start, nl));
        start = nl + 1;
        if (++seen === count)
          parentPort?.postMessage({
            code: 'EVENT',
            name: 'parsed',
            args: [performance.timeOrigin + performance.now()],
          });
      }
      carry = text.slice(start);
      callback();
    },
  });
}
