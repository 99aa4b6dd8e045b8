import { once } from 'node:events';
import fs from 'node:fs';
import pino from 'pino';
import pretty from 'pino-pretty';
import winston from 'winston';
import { fileHandler, getLogger, jsonFormatter, patternFormatter } from '../src/index.js';

/** Logs `n` lines to `file` and resolves once they are all written. */
export type Run = (file: string, n: number) => Promise<void>;

const FIELDS = { service: 'service_123', port: 8001 };
const MESSAGE = 'Creating sandbox for service_123';
let seq = 0;

export const pinoJson: Run = async (file, n) => {
  const dest = pino.destination({ dest: file, sync: false });
  const log = pino(dest);
  for (let i = 0; i < n; i++) log.info(FIELDS, MESSAGE);
  await endSonic(dest);
};

export const coreJson: Run = async (file, n) => {
  const log = getLogger(`bench.json${seq++}`);
  log.setLevel('INFO');
  log.propagate = false;
  const handler = fileHandler({ filename: file, formatter: jsonFormatter() });
  log.addHandler(handler);
  for (let i = 0; i < n; i++) log.info(FIELDS, MESSAGE);
  await handler.close();
  log.removeHandler(handler);
};

export const winstonJson: Run = async (file, n) => {
  const transport = new winston.transports.File({ filename: file });
  const log = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [transport] });
  for (let i = 0; i < n; i++) log.info(MESSAGE, FIELDS);
  await endWinston(log, transport);
};

export const corePattern: Run = async (file, n) => {
  const log = getLogger('bench');
  log.setLevel('INFO');
  log.propagate = false;
  const handler = fileHandler({ filename: file, formatter: patternFormatter() });
  log.addHandler(handler);
  for (let i = 0; i < n; i++) log.info(FIELDS, MESSAGE);
  await handler.close();
  log.removeHandler(handler);
};

/** pino + pino-pretty (colour off) writing `2026-11-26 23:59:59,123 [INFO] bench: message`. */
export const pinoPretty: Run = async (file, n) => {
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

export const winstonPrintf: Run = async (file, n) => {
  const transport = new winston.transports.File({ filename: file });
  const log = winston.createLogger({
    level: 'info',
    format: winston.format.combine(
      winston.format.timestamp({ format: 'YYYY-MM-DD HH:mm:ss,SSS' }),
      winston.format.printf((info) => `${info.timestamp} [${String(info.level).toUpperCase()}] bench: ${info.message}`),
    ),
    transports: [transport],
  });
  for (let i = 0; i < n; i++) log.info(MESSAGE, FIELDS);
  await endWinston(log, transport);
};

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

async function endWinston(log: winston.Logger, transport: winston.transport): Promise<void> {
  const done = once(transport, 'finish');
  log.end();
  await done;
  // The file stream may close a little after 'finish'; the caller waits for the
  // last lines outside the timed window instead of sleeping here.
}

/** Number of lines in a file (to check every contender wrote everything). */
export function lineCount(file: string): number {
  const text = fs.readFileSync(file, 'utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
