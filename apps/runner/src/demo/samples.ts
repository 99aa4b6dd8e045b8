const FENCE = '```';

/** A dependency-free Node service: answers every path with JSON and logs each request in colour. */
export const HEALTHY_SAMPLE = `# Hello service

A dependency-free HTTP service. It logs every request, in colour, on stdout.

${FENCE}javascript markpact:file path=server.mjs
import http from 'node:http';

const port = Number(process.env.MARKPACT_PORT || 8010);
http
  .createServer((req, res) => {
    console.log(\`\\u001b[32m\${req.method}\\u001b[0m \${req.url}\`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, path: req.url }));
  })
  .listen(port, () => {
    console.log(\`listening on \${port}\`);
    console.error('stderr works too');
  });
${FENCE}

${FENCE}bash markpact:run
node server.mjs
${FENCE}
`;

/** The seed's failing service: a Python import of a module that does not exist. */
export const MISSING_MODULE_SAMPLE = `# Broken service

Imports a module that is not installed, so it dies at start with
\`ModuleNotFoundError: No module named 'missing_module'\`.

${FENCE}python markpact:file path=main.py
import time

from missing_module import something

time.sleep(60)
${FENCE}

${FENCE}bash markpact:run
python3 main.py
${FENCE}
`;
