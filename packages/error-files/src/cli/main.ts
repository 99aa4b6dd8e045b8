/** Argument handling for `pactown-errors`: parses, dispatches, maps failures to exit codes. */
import { parseArgs } from 'node:util';
import { ErrorFileError } from '../errors.js';
import { defaultLogDir } from '../paths.js';
import { type Io, clean, list, show, tail } from './commands.js';
import { CliError, EXIT } from './exit-codes.js';

export const USAGE = `Usage: pactown-errors [--dir <folder>] <command> [options]

Commands:
  list [--json]                         error files, newest first
  show <service> [--index N] [--json | --markdown | --raw]
                                        the newest error file of a service (or history entry N);
                                        control characters shown as pictures unless --raw;
                                        <service> is the id (123) or the file's name (service_123)
  report <service> [--index N]          the same file as a Markdown report
  tail [-n N] [-f] [--file sandbox.log] the last N lines (default 20) of the aggregate log;
                                        -f keeps printing new lines (across rotation) until interrupted
  clean --older-than <7d> [--dry-run]   remove error files older than a duration (ms, s, m, h, d, w)

Options:
  --dir <folder>   log folder (default: $PACTOWN_LOG_DIR or <tmp>/pactown-logs)
  -h, --help       this text

Exit codes: 0 done, 1 failure, 2 usage error, 3 no such folder, 4 no such service or file.
`;

function nonNegativeInt(name: string, value: string | undefined, fallback: number): number;
function nonNegativeInt(name: string, value: string | undefined, fallback?: number): number | undefined;
function nonNegativeInt(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value))
    throw new CliError(EXIT.USAGE, `${name} must be a non-negative integer, got ${JSON.stringify(value)}.`);
  return Number(value);
}

/**
 * Runs the CLI with `argv` (without node and script); resolves with the exit
 * code. `untilStopped` gives the signal that ends `tail -f` (asked for only then).
 */
export async function main(
  argv: string[],
  io: Io & { err(text: string): void },
  untilStopped?: () => AbortSignal,
): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        dir: { type: 'string' },
        json: { type: 'boolean', default: false },
        markdown: { type: 'boolean', default: false },
        raw: { type: 'boolean', default: false },
        index: { type: 'string' },
        lines: { type: 'string', short: 'n' },
        file: { type: 'string' },
        follow: { type: 'boolean', short: 'f', default: false },
        'older-than': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || command === 'help') {
      io.out(USAGE);
      return EXIT.OK;
    }
    const dir = values.dir ?? defaultLogDir();
    const extra = (max: number) => {
      if (rest.length > max) throw new CliError(EXIT.USAGE, `Unexpected argument ${JSON.stringify(rest[max])}.`);
    };
    switch (command) {
      case 'list':
        extra(0);
        return await list(io, dir, values.json);
      case 'show':
        extra(1);
        if ([values.json, values.markdown, values.raw].filter(Boolean).length > 1)
          throw new CliError(EXIT.USAGE, 'Use one of --json, --markdown, --raw.');
        return await show(
          io,
          dir,
          rest[0],
          nonNegativeInt('--index', values.index),
          values.json ? 'json' : values.markdown ? 'markdown' : values.raw ? 'raw' : 'text',
        );
      case 'report':
        extra(1);
        if (values.json || values.markdown || values.raw)
          throw new CliError(EXIT.USAGE, 'report prints Markdown: use show for --json or --raw.');
        return await show(io, dir, rest[0], nonNegativeInt('--index', values.index), 'markdown', 'report');
      case 'tail':
        extra(0);
        return await tail(
          io,
          dir,
          nonNegativeInt('--lines', values.lines, 20),
          values.file ?? 'sandbox.log',
          values.follow ? (untilStopped?.() ?? new AbortController().signal) : undefined,
        );
      case 'clean':
        extra(0);
        return await clean(io, dir, values['older-than'], values['dry-run']);
      case undefined:
        throw new CliError(EXIT.USAGE, 'Missing command.');
      default:
        throw new CliError(EXIT.USAGE, `Unknown command ${JSON.stringify(command)}.`);
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`pactown-errors: ${error.message}\n`);
      if (error.exitCode === EXIT.USAGE) io.err(`\n${USAGE}`);
      return error.exitCode;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`pactown-errors: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT.USAGE;
    }
    const message = error instanceof ErrorFileError || error instanceof Error ? error.message : String(error);
    io.err(`pactown-errors: ${message}\n`);
    return EXIT.FAILURE;
  }
}
