import { CODES, coreError } from './codes.js';
import pino from 'pino';
import { LEVELS, parseLevel, pinoLevelFor } from './levels.js';
import type { LoggerNode } from './node.js';
import { kNode } from './record.js';
import { topology } from './settings.js';
import type { Handler, LevelInput } from './types.js';

const { levelValSym, setLevelSym } = pino.symbols as unknown as { levelValSym: symbol; setLevelSym: symbol };
const LEVEL_KEYS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

function setOwnLevel(logger: any, node: LoggerNode, input: LevelInput): void {
  const level = parseLevel(input);
  if (level === 0 && node.parent !== null) {
    node.level = 0;
    dropOwnLevel(logger);
    return;
  }
  const own = level === 0 ? LEVELS.TRACE : level;
  logger.level = pinoLevelFor(own);
  node.level = own;
}

/** Drops the own level so the prototype (the parent) answers again. */
function dropOwnLevel(logger: any): void {
  for (const key of LEVEL_KEYS) delete logger[key];
  delete logger[levelValSym];
}

export function defineExtensions(base: any): void {
  let levelAccessor: PropertyDescriptor | undefined;
  for (
    let proto = Object.getPrototypeOf(base);
    proto !== null && levelAccessor === undefined;
    proto = Object.getPrototypeOf(proto)
  ) {
    levelAccessor = Object.getOwnPropertyDescriptor(proto, 'level');
  }
  if (levelAccessor?.get === undefined)
    throw coreError(
      CODES.UNSUPPORTED_PINO,
      '[@pactown/log-core] This pino version has no level accessor; use pino 10.',
      Error,
    );
  Object.defineProperties(base, {
    // `logger.level = 'debug'` (pino's way, used by Fastify and others) is an own level too.
    level: {
      get: levelAccessor.get,
      set(this: any, value: string | number) {
        this[setLevelSym](value);
        const node: LoggerNode = this[kNode];
        if (node.logger === this)
          node.level = this[levelValSym] === Number.POSITIVE_INFINITY ? LEVELS.SILENT : this[levelValSym];
      },
      configurable: true,
    },
    warning: {
      get() {
        return this.warn;
      },
      configurable: true,
    },
    critical: {
      get() {
        return this.fatal;
      },
      configurable: true,
    },
    loggerName: {
      get() {
        return this[kNode].name;
      },
      configurable: true,
    },
    parentLogger: {
      get() {
        return this[kNode].parent?.logger ?? null;
      },
      configurable: true,
    },
    handlers: {
      get() {
        return [...this[kNode].handlers];
      },
      configurable: true,
    },
    propagate: {
      get() {
        return this[kNode].propagate;
      },
      set(value: unknown) {
        if (typeof value !== 'boolean') {
          throw coreError(
            CODES.INVALID_ARGUMENT,
            `[@pactown/log-core] Invalid propagate: ${String(value)}; expected a boolean.`,
          );
        }
        this[kNode].propagate = value;
        topology.version++;
      },
      configurable: true,
    },
  });
  base.setLevel = function setLevel(this: any, level: LevelInput) {
    const node: LoggerNode = this[kNode];
    if (node.logger !== this) {
      // A pino child (`.child()`) gets its own level, as pino's `child.level = x` would; NOTSET follows the parent again.
      const value = parseLevel(level);
      if (value === 0) dropOwnLevel(this);
      else this.level = pinoLevelFor(value);
      return;
    }
    setOwnLevel(this, node, level);
  };
  base.getEffectiveLevel = function getEffectiveLevel(this: any): number {
    const node: LoggerNode = this[kNode];
    if (node.logger !== this && Object.hasOwn(this, levelValSym)) return this[levelValSym];
    return node.effectiveLevel();
  };
  base.isEnabledFor = function isEnabledFor(this: any, level: LevelInput): boolean {
    return parseLevel(level) >= this.getEffectiveLevel();
  };
  base.addHandler = function addHandler(this: any, handler: Handler) {
    assertHandler(handler);
    const node: LoggerNode = this[kNode];
    if (!node.handlers.includes(handler)) {
      node.handlers.push(handler);
      topology.version++;
    }
  };
  base.removeHandler = function removeHandler(this: any, handler: Handler) {
    const node: LoggerNode = this[kNode];
    const index = node.handlers.indexOf(handler);
    if (index !== -1) {
      node.handlers.splice(index, 1);
      topology.version++;
    }
  };
}

function assertHandler(handler: Handler): void {
  if (
    handler === null ||
    typeof handler !== 'object' ||
    typeof handler.handle !== 'function' ||
    typeof handler.level !== 'number'
  ) {
    throw coreError(
      CODES.INVALID_ARGUMENT,
      `[@pactown/log-core] Invalid handler: ${String(handler)}; expected a Handler (see createHandler).`,
    );
  }
}
