import { topology } from './settings.js';
import type { Logger } from './logger-types.js';
import type { Handler } from './types.js';

/** One name in the hierarchy: the logger, its own level and handlers. */
export class LoggerNode {
  /** Own level; 0 is NOTSET (inherit). */
  level = 0;
  handlers: Handler[] = [];
  propagate = true;
  chain: Handler[] = [];
  chainVersion = -1;
  logger!: Logger;
  constructor(
    readonly name: string,
    readonly parent: LoggerNode | null,
  ) {}

  /** Handlers a record meets on its way up: own, then ancestors' until `propagate` is false. */
  resolveChain(): Handler[] {
    const chain: Handler[] = [];
    for (let node: LoggerNode | null = this; node !== null; node = node.propagate ? node.parent : null) {
      for (const h of node.handlers) chain.push(h);
    }
    this.chain = chain;
    this.chainVersion = topology.version;
    return chain;
  }

  effectiveLevel(): number {
    for (let node: LoggerNode | null = this; node !== null; node = node.parent) {
      if (node.level !== 0) return node.level;
    }
    return 0;
  }
}
