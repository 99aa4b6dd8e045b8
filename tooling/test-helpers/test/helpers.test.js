import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { SseClient, freePort, holdPort, nodeService, tempDir, waitFor } from '../index.js';

test('tempDir makes its own folder, stays inside it and removes only it', async () => {
  const outer = await tempDir('helpers-outer-');
  const dir = await tempDir('helpers-');
  await fs.writeFile(dir.join('a.txt'), 'x');
  // A link to a folder outside: removing the temp folder must leave the target alone.
  await fs.writeFile(outer.join('keep.txt'), 'keep');
  await fs.symlink(outer.path, dir.join('link'));
  assert.throws(() => dir.join('..', 'elsewhere'), /outside/);
  await dir.remove();
  await assert.rejects(fs.stat(dir.path), { code: 'ENOENT' });
  assert.equal(await fs.readFile(path.join(outer.path, 'keep.txt'), 'utf8'), 'keep');
  await outer.remove();
  await assert.rejects(tempDir('../x'), TypeError);
});

test('freePort gives a port that can be bound; holdPort keeps one busy', async () => {
  const port = await freePort();
  const held = await holdPort();
  const busy = net.createServer();
  await assert.rejects(
    new Promise((resolve, reject) => busy.once('error', reject).listen(held.port, '127.0.0.1', resolve)),
    { code: 'EADDRINUSE' },
  );
  await held.close();
  const server = net.createServer();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  await new Promise((resolve) => server.close(resolve));
});

test('waitFor resolves with the value and names what timed out', async () => {
  let n = 0;
  assert.equal(await waitFor(() => (++n >= 3 ? n : undefined), 'three'), 3);
  await assert.rejects(
    waitFor(() => false, 'never', 50),
    /never/,
  );
});

test('SseClient parses events, multi-line data, ids and comments from a real server', async () => {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': comment\n\nid: 1\nevent: log\ndata: {"message":"a"}\n\n');
    res.write('event: note\ndata: two\ndata: lines\n\n');
    res.end('id: 2\nevent: log\r\ndata: {"message":"b"}\r\n\r\n');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new SseClient(`http://127.0.0.1:${server.address().port}/`);
  await client.ended();
  assert.equal(client.status, 200);
  assert.deepEqual(client.logs(), ['a', 'b']);
  assert.equal((await client.waitFor((e) => e.event === 'note')).data, 'two\nlines');
  assert.deepEqual(
    client.events.map((e) => e.id),
    ['1', undefined, '2'],
  );
  server.close();
});

test('nodeService is markpact Markdown with a file and a run block', () => {
  const md = nodeService({ lines: 2, prefix: "it's", exitAfterMs: 10 });
  assert.match(md, /```javascript markpact:file path=server\.mjs/);
  assert.match(md, /```bash markpact:run\nnode server\.mjs\n```/);
  assert.match(md, /"it's"/);
});

test('runChild collects output and exit code, feeds stdin, and kills past its timeout', async () => {
  const { runChild } = await import('../index.js');
  const ok = await runChild(
    process.execPath,
    [
      '-e',
      'process.stdin.pipe(process.stdout); process.stderr.write("err"); process.on("exit", () => (process.exitCode = 4))',
    ],
    { input: 'in' },
  );
  assert.deepEqual(ok, { code: 4, signal: null, stdout: 'in', stderr: 'err' });
  await assert.rejects(
    runChild(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 300 }),
    /did not end within 300 ms/,
  );
  await assert.rejects(runChild('/nonexistent/command'), { code: 'ENOENT' });
});

test('pidAlive tells a running process from an ended one', async () => {
  const { spawn } = await import('node:child_process');
  const { pidAlive } = await import('../index.js');
  assert.equal(pidAlive(process.pid), true);
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  assert.equal(pidAlive(child.pid), true);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  await waitFor(() => !pidAlive(child.pid), 'the child to be gone', 5000);
});
