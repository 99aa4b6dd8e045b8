#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { CODES } from './errors.js';
import { LOKI_VERSION } from './options.js';
import { startLokiReceiver } from './receiver.js';
import type { LokiReceiverOptions } from './types.js';

const PREFIX = '[@pactown/loki-receiver]';

const HELP = `Usage: pactown-loki-receiver [options]

Runs a Loki-compatible push and query server (for tests and local work),
answering as Grafana Loki ${LOKI_VERSION} does with its default limits.

  --host <addr>             interface to listen on (default 127.0.0.1)
  --port <n>                port (default 3100; 0 picks a free one)
  --multi-tenant            require X-Scope-OrgID (401 without it)
  --max-line-size <bytes>   longest accepted line (default 262144; 0: no limit)
  --ingestion-rate <bytes>  per-tenant bytes/second before 429 (default 4194304; "off": no limit)
  --no-service-name         do not add Loki 3's service_name label
  --no-detected-level       do not add Loki 3's detected_level metadata
  --no-test-endpoints       do not serve /__test__/ hooks
  -h, --help                show this help

Exit codes: 0 stopped by SIGINT/SIGTERM, 1 could not start, 2 usage error.
`;

/** A command-line mistake: printed once with the package prefix, exit code 2. */
class UsageError extends Error {
  readonly code = CODES.USAGE;
}

function numberOption(name: string, value: string | undefined, allowOff = false): number | undefined {
  if (value === undefined) return undefined;
  if (allowOff && value === 'off') return Number.POSITIVE_INFINITY;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n))
    throw new UsageError(`--${name} must be a number${allowOff ? ' or "off"' : ''}, got ${JSON.stringify(value)}`);
  return n;
}

function readOptions(argv: string[]): LokiReceiverOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'multi-tenant': { type: 'boolean' },
        'max-line-size': { type: 'string' },
        'ingestion-rate': { type: 'string' },
        'no-service-name': { type: 'boolean' },
        'no-detected-level': { type: 'boolean' },
        'no-test-endpoints': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const options: LokiReceiverOptions = {
    host: (values.host as string | undefined) ?? '127.0.0.1',
    port: numberOption('port', values.port as string | undefined) ?? 3100,
    multiTenant: values['multi-tenant'] === true,
    testEndpoints: values['no-test-endpoints'] !== true,
    discoverServiceName: values['no-service-name'] !== true,
    discoverLogLevels: values['no-detected-level'] !== true,
  };
  const maxLineSize = numberOption('max-line-size', values['max-line-size'] as string | undefined);
  if (maxLineSize !== undefined) options.maxLineSize = maxLineSize;
  const rate = numberOption('ingestion-rate', values['ingestion-rate'] as string | undefined, true);
  if (rate !== undefined) options.ingestionRateBytes = rate;
  return options;
}

function fail(message: string, exitCode: number): never {
  // Messages of our own errors already carry the prefix: print it once.
  const text = message.startsWith(PREFIX) ? message : `${PREFIX} ${message}`;
  process.stderr.write(`${text}\n${exitCode === 2 ? 'Run pactown-loki-receiver --help for the options.\n' : ''}`);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  let options: LokiReceiverOptions | 'help';
  try {
    options = readOptions(process.argv.slice(2));
  } catch (error) {
    fail((error as Error).message, 2);
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return;
  }
  let receiver: Awaited<ReturnType<typeof startLokiReceiver>>;
  try {
    receiver = await startLokiReceiver(options);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // A bad value (port 99999, a negative size) is a usage error; failing to listen is not.
    const usage = code === CODES.INVALID_OPTION || code === CODES.UNKNOWN_OPTION;
    fail((error as Error).message, usage ? 2 : 1);
  }
  process.stdout.write(`loki-receiver listening on ${receiver.url} (push: ${receiver.pushUrl})\n`);
  const stop = () => {
    void receiver.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
