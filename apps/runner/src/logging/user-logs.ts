import path from 'node:path';
import {
  type Handler,
  type HandlerHealth,
  type LevelInput,
  type LogRecord,
  parseLevel,
  patternFormatter,
  rotatingFileHandler,
} from '@pactown/log-core';
import { SERVICE_ID_PATTERN } from '../config/service-id.js';

export interface UserLogOptions {
  logDir: string;
  /** Finds the owner of a service, for records that carry only `service`. */
  ownerOf: (serviceId: string) => string | undefined;
  /** @default 'DEBUG' */
  level?: LevelInput;
  /** @default 5 MiB */
  maxBytes?: number;
  /** @default 3 */
  backupCount?: number;
}

/**
 * Routes every record about a user (a `user` field, or a `service` field of a
 * service they own) to `user_{id}.log` in the log folder, one rotating file
 * per user, opened on first use.
 */
export function userLogHandler(options: UserLogOptions): Handler & { readonly health: HandlerHealth } {
  const files = new Map<string, Handler>();
  const formatter = patternFormatter();
  let level = parseLevel(options.level ?? 'DEBUG');
  let errors = 0;

  function fileFor(user: string): Handler | undefined {
    if (!SERVICE_ID_PATTERN.test(user)) return undefined;
    let handler = files.get(user);
    if (!handler) {
      handler = rotatingFileHandler({
        filename: path.join(options.logDir, `user_${user}.log`),
        maxBytes: options.maxBytes ?? 5 * 1024 * 1024,
        backupCount: options.backupCount ?? 3,
        formatter,
      });
      files.set(user, handler);
    }
    return handler;
  }

  return {
    name: `user-logs:${options.logDir}`,
    get level() {
      return level;
    },
    setLevel(next: LevelInput) {
      level = parseLevel(next);
    },
    // Degraded while any user's file is (log-core retries each on its own).
    get health() {
      const degraded = [...files.values()]
        .map((h) => (h as Handler & { health?: HandlerHealth }).health)
        .find((x) => x?.state === 'degraded');
      let total = errors;
      for (const h of files.values()) total += h.errors;
      return {
        name: `user-logs:${options.logDir}`,
        state: degraded ? 'degraded' : 'ok',
        errors: total,
        ...(degraded?.lastError ? { lastError: degraded.lastError } : {}),
      } as HandlerHealth;
    },
    get errors() {
      let total = errors;
      for (const h of files.values()) total += h.errors;
      return total;
    },
    handle(record: LogRecord) {
      try {
        const fields = record.fields;
        const user =
          typeof fields.user === 'string'
            ? fields.user
            : typeof fields.service === 'string'
              ? options.ownerOf(fields.service)
              : undefined;
        if (user !== undefined) fileFor(user)?.handle(record);
      } catch {
        errors++;
      }
    },
    async flush() {
      await Promise.all([...files.values()].map((h) => h.flush()));
    },
    async close() {
      await Promise.all([...files.values()].map((h) => h.close()));
      files.clear();
    },
  };
}
