// The receiver of the Loki race, in a process of its own: it stores each push
// body as it came (with its arrival time and headers) and answers 204, as a
// Loki on another machine costs the sender nothing. It decodes nothing: the
// harness decodes the dump after the run.
//
//   node sink.mjs            prints {"port":N} once listening on 127.0.0.1
//   GET  /bench/stats        {"bodies","bytes","lastAt"} (cheap; polled to see when senders went quiet)
//   POST /bench/dump?file=F  writes every stored body to F and forgets them
import fs from 'node:fs';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

const now = () => performance.timeOrigin + performance.now();
let bodies = [];
let bytes = 0;
let lastAt = 0;

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url.startsWith('/loki/api/v1/push')) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = now();
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      bodies.push({
        at,
        type: req.headers['content-type'] ?? '',
        encoding: req.headers['content-encoding'] ?? '',
        body,
      });
      bytes += body.length;
      lastAt = at;
      res.writeHead(204).end();
    });
    return;
  }
  if (req.method === 'GET' && req.url === '/bench/stats') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ bodies: bodies.length, bytes, lastAt, now: now() }));
    return;
  }
  if (req.method === 'POST' && req.url.startsWith('/bench/dump')) {
    const file = new URL(req.url, 'http://x').searchParams.get('file');
    // Record layout: u32 meta length, meta JSON, u32 body length, body.
    const fd = fs.openSync(file, 'w');
    for (const b of bodies) {
      const meta = Buffer.from(JSON.stringify({ at: b.at, type: b.type, encoding: b.encoding }));
      const head = Buffer.alloc(4);
      head.writeUInt32LE(meta.length);
      fs.writeSync(fd, head);
      fs.writeSync(fd, meta);
      head.writeUInt32LE(b.body.length);
      fs.writeSync(fd, head);
      fs.writeSync(fd, b.body);
    }
    fs.closeSync(fd);
    const count = bodies.length;
    bodies = [];
    bytes = 0;
    lastAt = 0;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bodies: count }));
    return;
  }
  // Anything else a shipper might call (ready checks): answer like an empty Loki.
  req.resume();
  res.writeHead(req.method === 'GET' ? 200 : 204).end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
