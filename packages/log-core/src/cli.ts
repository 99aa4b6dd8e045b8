#!/usr/bin/env node
import { once } from 'node:events';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { jsonFormatter, ndjsonFormatter } from './formatters/json.js';
import { DEFAULT_PATTERN, patternFormatter } from './formatters/pattern.js';
import { prettyFormatter } from './formatters/pretty.js';
import { parseLevel } from './levels.js';
import { recordFromPino } from './pino-line.js';
import type { Formatter } from './types.js';

const HELP = `Usage: node app.js | pactown-log [options]

Reads pino NDJSON on stdin and writes formatted lines on stdout.
Lines that are not JSON log records pass through unchanged.

Options:
  -f, --format <pattern>  Python-style pattern (default: '${DEFAULT_PATTERN}')
      --json              the seed's JSON shape {timestamp, level, logger, message, ...}
      --ndjson            pino's own JSON shape (after filtering and redaction)
      --pretty            terminal output (color on a TTY, or with --color)
  -l, --level <LEVEL>     drop records below LEVEL (TRACE DEBUG INFO WARNING ERROR CRITICAL, or a number)
      --datefmt <fmt>     strftime format for %(asctime)s
      --utc               times in UTC
      --color, --no-color force color on or off (pretty only)
      --no-redact         keep secrets as they are
  -h, --help              show this help
`;

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    process.stderr.write(`pactown-log: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let min = 0;
  let formatter: Formatter;
  try {
    if (v.level !== undefined) min = parseLevel(v.level);
    formatter = v.json
      ? jsonFormatter(v.datefmt ? { timestamp: 'asctime', datefmt: v.datefmt } : {})
      : v.ndjson
        ? ndjsonFormatter()
        : v.pretty
          ? prettyFormatter({
              colorize: v['no-color'] ? false : v.color ? true : undefined,
              stream: process.stdout,
              datefmt: v.datefmt,
            })
          : patternFormatter(v.format ?? DEFAULT_PATTERN, { datefmt: v.datefmt, utc: v.utc });
  } catch (error) {
    process.stderr.write(`pactown-log: ${(error as Error).message}\n`);
    return 2;
  }
  const redact = !v['no-redact'];
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    const out = convert(line, formatter, min, redact);
    if (out === undefined) continue;
    if (!process.stdout.write(`${out}\n`)) await once(process.stdout, 'drain');
  }
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      format: { type: 'string', short: 'f' },
      json: { type: 'boolean' },
      ndjson: { type: 'boolean' },
      pretty: { type: 'boolean' },
      level: { type: 'string', short: 'l' },
      datefmt: { type: 'string' },
      utc: { type: 'boolean' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      'no-redact': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
}

/** One input line to output text; `undefined` drops it (below the level). Non-records pass through. */
function convert(line: string, formatter: Formatter, min: number, redact: boolean): string | undefined {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith('{')) return line;
  let obj: unknown;
  try {
    obj = JSON.parse(trimmed);
  } catch {
    return line;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return line;
  const record = recordFromPino(obj as Record<string, unknown>, redact);
  if (record === undefined) return line;
  if (record.level < min) return undefined;
  try {
    return formatter(record);
  } catch {
    return line;
  }
}

// A reader that closes early (`| head -1`) ends us quietly, as Unix tools end on SIGPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  process.stderr.write(`pactown-log: cannot write to stdout: ${error.message}\n`);
  process.exit(1);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`pactown-log: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
