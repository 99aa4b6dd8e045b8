import { type LokiReceiver, startLokiReceiver } from '@pactown/loki-receiver';
import { createRunnerApp } from '../app/app.js';
import { loadConfig } from '../config/config.js';
import { displayUrl } from '../logging/urls.js';
import { SEED_QUERIES, dashboardQueries, substituteVariables } from '../demo/queries.js';
import { HEALTHY_SAMPLE, MISSING_MODULE_SAMPLE } from '../demo/samples.js';
import { installSignalHandlers } from '../app/signals.js';

const out = (text = '') => process.stdout.write(`${text}\n`);
const heading = (title: string) => out(`\n── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`);

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.json();
}

/** Runs a LogQL query against the in-process receiver, or against real Loki over HTTP. */
async function countLines(
  expr: string,
  receiver: LokiReceiver | null,
  lokiUrl: string,
  tenant: string | null,
): Promise<string[]> {
  if (receiver) return receiver.query(expr).result.flatMap((s) => s.values.map((v) => v[1]));
  const params = new URLSearchParams({ query: expr, limit: '1000', start: String((Date.now() - 3_600_000) * 1e6) });
  const res = await fetch(`${lokiUrl.replace(/\/$/, '')}/loki/api/v1/query_range?${params}`, {
    headers: tenant ? { 'x-scope-orgid': tenant } : {},
  });
  const body = (await res.json()) as { data?: { result?: Array<{ values: string[][] }> } };
  return (body.data?.result ?? []).flatMap((s) => s.values.map((v) => v[1]!));
}

/**
 * `pnpm demo`: the runner with nothing external. Sandboxes and logs go under
 * `./.pactown/` of the folder the command was started from; without
 * `LOKI_URL` a Loki-compatible receiver runs in-process.
 */
async function main(): Promise<void> {
  const exitAfter = process.argv.includes('--exit');
  // pnpm runs the script inside the app folder; INIT_CWD is where the user typed the command.
  const base = process.env.INIT_CWD ?? process.cwd();
  // The demo prints its own story; the full log is in sandbox.log (PACTOWN_CONSOLE_LEVEL=DEBUG shows it here too).
  const config = loadConfig({ PACTOWN_CONSOLE_LEVEL: 'CRITICAL', ...process.env }, {}, base);
  let receiver: LokiReceiver | null = null;
  let lokiUrl = config.lokiUrl;
  if (!lokiUrl) {
    receiver = await startLokiReceiver({ host: '127.0.0.1', port: 0 });
    lokiUrl = receiver.url;
  }
  const app = await createRunnerApp({ config, lokiUrl }).catch(async (error: unknown) => {
    await receiver?.close();
    throw error;
  });
  const originalShutdown = app.shutdown;
  app.shutdown = async (reason) => {
    await originalShutdown(reason);
    await receiver?.close();
  };
  installSignalHandlers(app, app.context.config.shutdownGraceMs);
  let url: string;
  try {
    url = await app.listen();
  } catch (error) {
    await app.shutdown('start-up failed');
    throw error;
  }

  heading(
    `Runner on ${url} · logs in ${config.logDir} · Loki ${receiver ? `receiver (in-process) ${lokiUrl}` : displayUrl(lokiUrl)}`,
  );
  heading('POST /run  hello (healthy sample)');
  out(
    JSON.stringify(
      await post(`${url}/run`, { service_id: 'hello', user_id: 'user123', content: HEALTHY_SAMPLE }),
      null,
      2,
    ),
  );
  heading("POST /run  missing_module (the seed's failing sample)");
  out(
    JSON.stringify(
      await post(`${url}/run`, { service_id: 'missing_module', user_id: 'user123', content: MISSING_MODULE_SAMPLE }),
      null,
      2,
    ),
  );
  heading('GET /services/missing_module/error-log');
  const errorLog = await fetch(`${url}/services/missing_module/error-log`);
  out(await errorLog.text());

  heading('Security policy: a burst of 11 quick runs from user burst-demo (bucket of 10)');
  let denial: unknown = null;
  for (let i = 0; i < 11 && denial === null; i++) {
    // Content without a runnable block fails validation at once: only the policy's counting matters here.
    const answer = (await post(`${url}/run`, {
      service_id: `burst-${i}`,
      user_id: 'burst-demo',
      content: '# nothing to run',
    })) as { error_category?: string };
    if (answer.error_category === 'security') denial = answer;
  }
  out(JSON.stringify(denial, null, 2));

  await app.logging.flush();
  heading("The seed's LogQL queries (as written → as fixed in the dashboard)");
  const fixed = await dashboardQueries();
  for (const [i, seed] of SEED_QUERIES.entries()) {
    const expr = substituteVariables(fixed[i]!.expr);
    const before = await countLines(seed.expr, receiver, lokiUrl, config.lokiTenant);
    const after = await countLines(expr, receiver, lokiUrl, config.lokiTenant);
    out(`\n${seed.title}`);
    out(`  seed:  ${seed.expr}  → ${before.length} line(s)`);
    out(`  fixed: ${expr}  → ${after.length} line(s)`);
    for (const line of after.slice(-3)) out(`    ${line.length > 160 ? `${line.slice(0, 157)}...` : line}`);
  }

  if (exitAfter) {
    await app.shutdown('demo finished (--exit)');
    process.exit(0);
  }
  heading('Serving');
  out(`Live log page: ${url}/`);
  out('Press Ctrl+C to stop (services are stopped and logs flushed).');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
