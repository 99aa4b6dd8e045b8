import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Redactor } from '@pactown/log-core';
import { createLokiClient, type LokiClient } from './client.js';
import { CODES, codedTypeError } from './codes.js';
import { withPatternFormatter } from './pattern-formatter.js';
import type { LokiOptions } from './types.js';

const HELP = `Usage: <program> | pactown-loki --url http://loki:3100 [options]

Reads pino NDJSON (one JSON object per line) on stdin and ships it to Loki.
Lines that are not JSON are shipped as INFO messages.

  --url <url>              Loki base or push URL (or LOKI_URL)
  --label name=value       static label (repeatable)
  --label-field <field>    record field promoted to a label (repeatable; default service, level, logger)
  --metadata <field>       record field sent as structured metadata (repeatable)
  --tenant <id>            X-Scope-OrgID (or LOKI_TENANT)
  --user <name>            basic auth user; password from LOKI_PASSWORD
  --bearer-token-env <var> read a bearer token from this environment variable
  --header name=value      extra request header (repeatable)
  --format logfmt|json|pattern, --pattern <pattern>
  --wire protobuf|json, --gzip
  --spool-dir <dir>        durable spool folder
  --batch-bytes <n>, --batch-wait <ms>, --queue-bytes <n>, --timeout <ms>, --drain-timeout <ms>
  --queue-policy drop-oldest|backpressure   (default backpressure: stdin is read only as fast as Loki takes it)
  --tee                    copy stdin to stdout (stopped, not fatal, when stdout closes)
  --no-redact              ship secrets as they are (default: masked with @pactown/log-core's redaction)
  --quiet                  no counters on stderr at the end
Exit status: 0 all lines accepted, 1 some lines dropped, 2 bad usage.`;

function pairs(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    if (i <= 0)
      throw codedTypeError(CODES.USAGE, `[@pactown/loki-transport] ${flag} needs name=value, got ${JSON.stringify(v)}`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n))
    throw codedTypeError(CODES.USAGE, `[@pactown/loki-transport] ${flag} needs a number, got ${JSON.stringify(value)}`);
  return n;
}

/** Builds client options from the command line and environment. */
export function cliOptions(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { options: LokiOptions; tee: boolean; redact: boolean; quiet: boolean; help: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      label: { type: 'string', multiple: true },
      'label-field': { type: 'string', multiple: true },
      metadata: { type: 'string', multiple: true },
      tenant: { type: 'string' },
      user: { type: 'string' },
      'bearer-token-env': { type: 'string' },
      header: { type: 'string', multiple: true },
      format: { type: 'string' },
      pattern: { type: 'string' },
      wire: { type: 'string' },
      gzip: { type: 'boolean' },
      'spool-dir': { type: 'string' },
      'batch-bytes': { type: 'string' },
      'batch-wait': { type: 'string' },
      'queue-bytes': { type: 'string' },
      'queue-policy': { type: 'string' },
      timeout: { type: 'string' },
      'drain-timeout': { type: 'string' },
      'metrics-interval': { type: 'string' },
      tee: { type: 'boolean' },
      'no-redact': { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const options: Record<string, unknown> = {
    url: values.url ?? env.LOKI_URL,
    labels: pairs(values.label, '--label'),
    labelFields: values['label-field'],
    structuredMetadata: values.metadata,
    tenant: values.tenant ?? env.LOKI_TENANT,
    headers: pairs(values.header, '--header'),
    format: values.format,
    pattern: values.pattern,
    wire: values.wire,
    gzip: values.gzip,
    spoolDir: values['spool-dir'],
    batchBytes: int(values['batch-bytes'], '--batch-bytes'),
    batchWait: int(values['batch-wait'], '--batch-wait'),
    queueBytes: int(values['queue-bytes'], '--queue-bytes'),
    queuePolicy: values['queue-policy'] ?? 'backpressure',
    timeout: int(values.timeout, '--timeout'),
    drainTimeout: int(values['drain-timeout'], '--drain-timeout'),
    metricsInterval: int(values['metrics-interval'], '--metrics-interval') ?? 0,
  };
  if (values.user !== undefined) options.basicAuth = { username: values.user, password: env.LOKI_PASSWORD ?? '' };
  if (values['bearer-token-env'] !== undefined) options.bearerToken = env[values['bearer-token-env']];
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  return {
    options: options as unknown as LokiOptions,
    tee: values.tee ?? false,
    redact: !values['no-redact'],
    quiet: values.quiet ?? false,
    help: values.help ?? false,
  };
}

type LineRedactor = Pick<Redactor, 'mayNeedRedaction' | 'redactObject' | 'redactText'>;

/** log-core's redaction engine (an optional peer, loaded when the CLI redacts). */
async function loadRedactor(): Promise<LineRedactor> {
  try {
    const core = (await import('@pactown/log-core')) as unknown as { getRedactor(): LineRedactor };
    return core.getRedactor();
  } catch (err) {
    throw codedTypeError(
      CODES.USAGE,
      `pactown-loki: redaction (the default) needs @pactown/log-core installed; install it or pass --no-redact (${(err as Error).message})`,
    );
  }
}

/** Ships one line, its secrets masked first when it may hold any. */
function shipLine(client: LokiClient, line: string, redactor: LineRedactor | null): boolean {
  if (redactor === null || !redactor.mayNeedRedaction(line)) return client.pushLine(line);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return client.pushLine(redactor.redactText(line));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return client.pushLine(redactor.redactText(line));
  const record = redactor.redactObject(value as Record<string, unknown>);
  if (typeof record.msg === 'string') record.msg = redactor.redactText(record.msg);
  return client.push(record);
}

/** Copies lines to stdout until stdout goes away (`| head -1`): then it stops copying, and shipping goes on. */
class Tee {
  #on: boolean;
  #out: NodeJS.WriteStream;

  constructor(on: boolean, out: NodeJS.WriteStream = process.stdout) {
    this.#on = on;
    this.#out = out;
    if (on) out.on('error', () => this.#stop());
  }

  #stop(): void {
    this.#on = false;
  }

  async write(line: string): Promise<void> {
    if (!this.#on) return;
    if (this.#out.write(`${line}\n`)) return;
    // A slow reader: wait for it, unless it goes away meanwhile.
    await new Promise<void>((resolve) => {
      const done = () => {
        this.#out.off('drain', done);
        this.#out.off('error', done);
        this.#out.off('close', done);
        resolve();
      };
      this.#out.on('drain', done);
      this.#out.on('error', done);
      this.#out.on('close', done);
    });
  }
}

/** Runs the CLI; resolves with the exit status. */
export async function main(
  argv: string[],
  input: NodeJS.ReadableStream = process.stdin,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let parsed: ReturnType<typeof cliOptions>;
  let client: LokiClient;
  let redactor: LineRedactor | null = null;
  try {
    parsed = cliOptions(argv, env);
    if (parsed.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (parsed.redact) redactor = await loadRedactor();
    client = createLokiClient(await withPatternFormatter(parsed.options));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const tee = new Tee(parsed.tee);
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  // On SIGTERM/SIGINT stop reading and drain what was read (within drainTimeout).
  const stop = () => rl.close();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  for await (const line of rl) {
    await tee.write(line);
    if (line === '') continue;
    if (!shipLine(client, line, redactor)) await client.waitForRoom();
  }
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
  await client.close();
  const m = client.metrics();
  const dropped = Object.values(m.droppedLines).reduce((a, b) => a + b, 0);
  if (!parsed.quiet) {
    const why = dropped > 0 && m.lastError !== null ? `; last error: ${m.lastError}` : '';
    process.stderr.write(
      `pactown-loki: sent ${m.sentLines} lines (${m.wireBytes} bytes on the wire), dropped ${dropped} ${JSON.stringify(m.droppedLines)}, retries ${m.retries}, ${m.spoolBatches} batches left in the spool${why}\n`,
    );
  }
  return dropped > 0 ? 1 : 0;
}
