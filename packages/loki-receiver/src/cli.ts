#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startLokiReceiver } from './receiver.js';
import type { LokiReceiverOptions } from './types.js';

const HELP = `Usage: pactown-loki-receiver [options]

Runs a Loki-compatible push and query server (for tests and local work).

  --host <addr>            interface to listen on (default 127.0.0.1)
  --port <n>               port (default 3100; 0 picks a free one)
  --multi-tenant           require X-Scope-OrgID (401 without it)
  --max-line-size <bytes>  longest accepted line (default 256000)
  --ingestion-rate <bytes> per-tenant bytes/second before 429 (default: no limit)
  --no-test-endpoints      do not serve /__test__/ hooks
  -h, --help               show this help
`;

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) {
    process.stderr.write(`[@pactown/loki-receiver] --${name} must be a number, got ${value}\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'multi-tenant': { type: 'boolean' },
      'max-line-size': { type: 'string' },
      'ingestion-rate': { type: 'string' },
      'no-test-endpoints': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const options: LokiReceiverOptions = {
    host: values.host ?? '127.0.0.1',
    port: numberOption('port', values.port) ?? 3100,
    multiTenant: values['multi-tenant'] ?? false,
    testEndpoints: !values['no-test-endpoints'],
  };
  const maxLineSize = numberOption('max-line-size', values['max-line-size']);
  if (maxLineSize !== undefined) options.maxLineSize = maxLineSize;
  const rate = numberOption('ingestion-rate', values['ingestion-rate']);
  if (rate !== undefined) options.ingestionRateBytes = rate;
  const receiver = await startLokiReceiver(options);
  process.stdout.write(`loki-receiver listening on ${receiver.url} (push: ${receiver.pushUrl})\n`);
  const stop = () => {
    void receiver.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`[@pactown/loki-receiver] ${(error as Error).message}\n`);
  process.exit(1);
});
