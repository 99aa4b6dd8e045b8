// The contenders of the throughput benchmark: each logs the same call to a file of its own.
// Each runs in a process of its own (bench/throughput-one.ts); the libraries are imported by
// the contender that uses them only, so no process loads another contender's code.
import { once } from 'node:events';

/** Logs `n` lines to `file` and resolves once the file is closed, i.e. holds every line. */
export type Run = (file: string, n: number) => Promise<void>;

export const FIELDS = { service: 'service_123', port: 8001 };
export const MESSAGE = 'Creating sandbox for service_123';

/** The contenders, by table, each with what it is set up with (printed under its table). */
export const CONTENDERS = {
  'pino (raw JSON)': {
    table: 'json',
    settings: "pino(pino.destination({ dest: file, sync: false })), pino's defaults otherwise",
    load: async (): Promise<Run> => {
      const { default: pino } = await import('pino');
      return async (file, n) => {
        const dest = pino.destination({ dest: file, sync: false });
        const log = pino(dest);
        for (let i = 0; i < n; i++) log.info(FIELDS, MESSAGE);
        await endSonic(dest);
      };
    },
  },
  'log-core (json file handler)': {
    table: 'json',
    settings:
      "getLogger('bench.json<n>'), level INFO, propagate false, fileHandler({ filename: file, formatter: jsonFormatter() }), default redaction",
    load: async (): Promise<Run> => {
      const { fileHandler, getLogger, jsonFormatter } = await import('../src/index.js');
      let seq = 0;
      return async (file, n) => {
        const log = getLogger(`bench.json${seq++}`);
        log.setLevel('INFO');
        log.propagate = false;
        const handler = fileHandler({ filename: file, formatter: jsonFormatter() });
        log.addHandler(handler);
        for (let i = 0; i < n; i++) log.info(FIELDS, MESSAGE);
        await handler.close();
        log.removeHandler(handler);
      };
    },
  },
  'winston (json, File)': {
    table: 'json',
    settings:
      "winston.createLogger({ level: 'info', format: format.json(), transports: [new transports.File({ filename: file })] })",
    load: async (): Promise<Run> => {
      const { default: winston } = await import('winston');
      return async (file, n) => {
        const transport = new winston.transports.File({ filename: file });
        const log = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [transport] });
        for (let i = 0; i < n; i++) log.info(MESSAGE, FIELDS);
        await endWinston(log, transport);
      };
    },
  },
  'log-core (pattern file handler)': {
    table: 'pattern',
    settings:
      "getLogger('bench'), level INFO, propagate false, fileHandler({ filename: file, formatter: patternFormatter() }) (the default pattern '%(asctime)s [%(levelname)s] %(name)s: %(message)s'), default redaction",
    load: async (): Promise<Run> => {
      const { fileHandler, getLogger, patternFormatter } = await import('../src/index.js');
      return async (file, n) => {
        const log = getLogger('bench');
        log.setLevel('INFO');
        log.propagate = false;
        const handler = fileHandler({ filename: file, formatter: patternFormatter() });
        log.addHandler(handler);
        for (let i = 0; i < n; i++) log.info(FIELDS, MESSAGE);
        await handler.close();
        log.removeHandler(handler);
      };
    },
  },
  'pino + pino-pretty (no colour)': {
    table: 'pattern',
    settings:
      "pino({ name: 'bench', timestamp: asctime }, pretty({ destination: pino.destination({ dest: file, sync: false }), colorize: false, sync: false, hideObject: true, ignore: 'pid,hostname,name,time,level', messageFormat: '{time} [{levelLabel}] {name}: {msg}', customLevels: Python's names }))",
    load: async (): Promise<Run> => {
      const { default: pino } = await import('pino');
      const { default: pretty } = await import('pino-pretty');
      // `2026-11-26 23:59:59,123 [INFO] bench: message`, as the pattern handler writes.
      return async (file, n) => {
        const dest = pino.destination({ dest: file, sync: false });
        const stream = pretty({
          destination: dest,
          colorize: false,
          sync: false,
          hideObject: true,
          ignore: 'pid,hostname,name,time,level',
          messageFormat: '{time} [{levelLabel}] {name}: {msg}',
          customLevels: { TRACE: 10, DEBUG: 20, INFO: 30, WARNING: 40, ERROR: 50, CRITICAL: 60 },
          useOnlyCustomProps: false,
          levelKey: 'level',
        } as never);
        const log = pino({ name: 'bench', timestamp: () => `,"time":"${asctime(Date.now())}"` }, stream);
        for (let i = 0; i < n; i++) log.info(FIELDS, MESSAGE);
        stream.end();
        await once(dest, 'close');
      };
    },
  },
  'winston (printf, File)': {
    table: 'pattern',
    settings:
      "winston.createLogger({ level: 'info', format: combine(timestamp({ format: 'YYYY-MM-DD HH:mm:ss,SSS' }), printf('<timestamp> [<LEVEL>] bench: <message>')), transports: [new transports.File({ filename: file })] })",
    load: async (): Promise<Run> => {
      const { default: winston } = await import('winston');
      return async (file, n) => {
        const transport = new winston.transports.File({ filename: file });
        const log = winston.createLogger({
          level: 'info',
          format: winston.format.combine(
            winston.format.timestamp({ format: 'YYYY-MM-DD HH:mm:ss,SSS' }),
            winston.format.printf(
              (info) => `${info.timestamp} [${String(info.level).toUpperCase()}] bench: ${info.message}`,
            ),
          ),
          transports: [transport],
        });
        for (let i = 0; i < n; i++) log.info(MESSAGE, FIELDS);
        await endWinston(log, transport);
      };
    },
  },
} as const satisfies Record<string, { table: 'json' | 'pattern'; settings: string; load: () => Promise<Run> }>;

export type ContenderName = keyof typeof CONTENDERS;

function asctime(t: number): string {
  const d = new Date(t);
  const p = (x: number, w = 2) => String(x).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

async function endSonic(dest: { end(): void; once(e: string, f: () => void): void }): Promise<void> {
  await new Promise<void>((resolve) => {
    dest.once('close', resolve);
    dest.end();
  });
}

interface WinstonFile {
  once(event: string, listener: () => void): unknown;
  /** The file's write stream (winston's own field): closed once every line is in the file. */
  _dest?: { closed?: boolean; once(event: string, listener: () => void): unknown };
}

/**
 * Ends a winston logger and resolves once its File transport's file is closed. The transport
 * reports 'finish' when its own stream has ended, which may be before the file's write stream
 * has written and closed: the run lasts until the file holds every line, as the others' do.
 */
async function endWinston(log: { end(): void }, transport: WinstonFile): Promise<void> {
  const finished = new Promise<void>((resolve) => transport.once('finish', resolve));
  log.end();
  await finished;
  const dest = transport._dest;
  if (!dest) throw new Error('winston File transport has no file stream to wait for');
  if (!dest.closed) await new Promise<void>((resolve) => dest.once('close', resolve));
}
