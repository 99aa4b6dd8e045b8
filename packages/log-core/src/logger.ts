import { CODES, coreError } from './codes.js';
import pino from 'pino';
import { warnStderr } from './stderr.js';
import { LEVELS, pinoLevelFor } from './levels.js';
import { flush as flushAll } from './lifecycle.js';
import { defineExtensions } from './logger-methods.js';
import type { Logger } from './logger-types.js';
import { LoggerNode } from './node.js';
import { buildRecord, kBoundVersion, kNode, kRawBindings } from './record.js';
import { settings, topology } from './settings.js';
import type { Handler, LogRecord } from './types.js';

const { writeSym } = pino.symbols as unknown as { writeSym: symbol };
/** Root's level until configured: Python's default. */
const ROOT_DEFAULT = LEVELS.WARNING;

const registry = new Map<string, LoggerNode>();
let rootNode: LoggerNode | undefined;
const failedHandlers = new WeakSet<Handler>();

/** Returns the logger for a dotted name, creating it (and its ancestors) on first use. No name: the root logger. */
export function getLogger(name?: string): Logger {
  if (name !== undefined && typeof name !== 'string') {
    throw coreError(
      CODES.INVALID_ARGUMENT,
      `[@pactown/log-core] Invalid logger name: ${String(name)}; expected a dotted string.`,
    );
  }
  return nodeFor(name).logger;
}

/** The node of a name (internal: configure and tests walk the hierarchy through it). */
export function nodeFor(name?: string): LoggerNode {
  const root = getRoot();
  if (name === undefined || name === '' || name === 'root') return root;
  const existing = registry.get(name);
  if (existing !== undefined) return existing;
  const dot = name.lastIndexOf('.');
  const parent = dot <= 0 ? root : nodeFor(name.slice(0, dot));
  const node = new LoggerNode(name, parent);
  node.logger = createNamed(parent.logger, node);
  registry.set(name, node);
  return node;
}

/** Every named logger created so far (root excluded). */
export function existingNodes(): IterableIterator<LoggerNode> {
  return registry.values();
}

function getRoot(): LoggerNode {
  if (rootNode !== undefined) return rootNode;
  const node = new LoggerNode('root', null);
  node.level = ROOT_DEFAULT;
  // pino serializes nothing here (the write hook below takes every call); `logger.flush(cb)` flushes every handler.
  const destination = {
    write() {},
    flush(cb: (error?: Error) => void) {
      flushAll().then(() => cb(), cb);
    },
  };
  // Only `err`, as plain pino: a framework that merges the logger's serializers over its own (Fastify's
  // `loggerInstance`) keeps its `req`/`res` ones. pino's standard `req`/`res` apply in buildRecord instead.
  const base = pino(
    { level: pinoLevelFor(ROOT_DEFAULT), serializers: { err: pino.stdSerializers.err }, hooks: { logMethod } },
    destination,
  ) as any;
  const pinoChild = base.child;
  base[kNode] = node;
  base[writeSym] = function write(this: any, obj: unknown, msg: unknown, level: number) {
    dispatch(this, obj, msg, level);
  };
  base.child = function child(this: any, bindings: Record<string, unknown>, options?: unknown) {
    const instance = pinoChild.call(this, bindings, options);
    const parentBindings = this[kRawBindings];
    instance[kRawBindings] = parentBindings === undefined ? { ...bindings } : { ...parentBindings, ...bindings };
    instance[kBoundVersion] = -1;
    return instance;
  };
  const pinoSetBindings = base.setBindings;
  base.setBindings = function setBindings(this: any, bindings: Record<string, unknown>) {
    pinoSetBindings.call(this, bindings);
    this[kRawBindings] = { ...this[kRawBindings], ...bindings };
    this[kBoundVersion] = -1;
  };
  defineExtensions(base);
  node.logger = base;
  rootNode = node;
  return node;
}

function createNamed(parent: any, node: LoggerNode): Logger {
  // A pino child made without options inherits its parent's level through the
  // prototype, so a NOTSET logger follows every later change at once.
  const parentChild = Object.getPrototypeOf(getRoot().logger).child as (b: object) => any;
  const logger = parentChild.call(parent, {});
  logger[kNode] = node;
  logger[kRawBindings] = undefined;
  return logger;
}

function dispatch(logger: any, obj: unknown, msg: unknown, level: number): void {
  const node: LoggerNode = logger[kNode];
  const chain = node.chainVersion === topology.version ? node.chain : node.resolveChain();
  let wanted = false;
  for (let i = 0; i < chain.length; i++) {
    if (level >= chain[i]!.level) {
      wanted = true;
      break;
    }
  }
  if (!wanted) {
    if (chain.length === 0 && settings.lastResort && level >= LEVELS.WARNING && !isLibraryLogger(node.name))
      lastResort(logger, node, obj, msg, level);
    return;
  }
  handTo(chain, level, safeRecord(logger, node, obj, msg, level));
}

/** Gives `record` to every handler of `chain` whose level it reaches; a throwing handler is reported, never rethrown. */
function handTo(chain: readonly Handler[], level: number, record: LogRecord): void {
  for (let i = 0; i < chain.length; i++) {
    const handler = chain[i]!;
    if (level < handler.level) continue;
    try {
      handler.handle(record);
    } catch (error) {
      reportThrowingHandler(handler, error);
    }
  }
}

/** The record of a call; a throwing getter or serializer in the call's object must not reach the code that logged. */
function safeRecord(logger: any, node: LoggerNode, obj: unknown, msg: unknown, level: number): LogRecord {
  try {
    return buildRecord(logger, node.name, obj, msg, level);
  } catch (error) {
    return fallbackRecord(node.name, msg, level, error);
  }
}

/**
 * pino's `hooks.logMethod`: wraps every enabled call, so that arguments which
 * throw in pino's own handling (printf `%s` of a throwing `toString`, a
 * request-like object's getters) are logged with the fallback record instead
 * of throwing into the caller. A logging call never throws.
 */
function logMethod(this: any, args: unknown[], method: (...a: unknown[]) => void, level: number): void {
  try {
    // The usual arities by direct call: cheaper than apply() with the arguments array.
    if (args.length === 2) method.call(this, args[0], args[1]);
    else if (args.length === 1) method.call(this, args[0]);
    else method.apply(this, args);
  } catch (error) {
    try {
      const msg = typeof args[0] === 'string' ? args[0] : typeof args[1] === 'string' ? args[1] : undefined;
      deliver(this[kNode], level, () => fallbackRecord(this[kNode].name, msg, level, error));
    } catch {
      // Nothing left that could be logged.
    }
  }
}

/** Hands a record made by `make` to the handlers of `node`'s chain, or to the last resort. */
function deliver(node: LoggerNode, level: number, make: () => LogRecord): void {
  const chain = node.chainVersion === topology.version ? node.chain : node.resolveChain();
  if (chain.length === 0) {
    if (settings.lastResort && level >= LEVELS.WARNING && !isLibraryLogger(node.name)) writeLastResort(make());
    return;
  }
  handTo(chain, level, make());
}

let fallbackReported = false;

function fallbackRecord(name: string, msg: unknown, level: number, error: unknown): LogRecord {
  const reason = describe(error);
  if (!fallbackReported) {
    fallbackReported = true;
    warnStderr(`a log call's fields could not be read (${reason}); the record is kept without them. Reported once.`);
  }
  return buildRecord(undefined, name, { logError: reason }, typeof msg === 'string' ? msg : undefined, level);
}

/** An error's message, never throwing (the error may be a hostile object too). */
function describe(error: unknown): string {
  try {
    const message = (error as Error)?.message;
    return typeof message === 'string' ? message : String(error);
  } catch {
    return 'unreadable error';
  }
}

/**
 * `pactown` and its descendants are the loggers of our own libraries. Python's
 * advice for a library is a `NullHandler` on its top logger, so that an
 * application that configured no logging gets no output from it (the library
 * reports through its own callbacks, such as sandbox's `onLog`, which would
 * otherwise print every warning twice). The last resort keeps them silent.
 */
function isLibraryLogger(name: string): boolean {
  return name === 'pactown' || name.startsWith('pactown.');
}

function lastResort(logger: any, node: LoggerNode, obj: unknown, msg: unknown, level: number): void {
  writeLastResort(safeRecord(logger, node, obj, msg, level));
}

function writeLastResort(record: LogRecord): void {
  try {
    process.stderr.write(`${record.message}\n`);
  } catch {
    // stderr is gone: nothing to fall back to.
  }
}

function reportThrowingHandler(handler: Handler, error: unknown): void {
  if (failedHandlers.has(handler)) return;
  failedHandlers.add(handler);
  warnStderr(`handler ${handler.name} threw (${describe(error)}); it is skipped for this record.`);
}
