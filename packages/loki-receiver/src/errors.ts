/** An answer the receiver sends instead of success: an HTTP status and Loki's message. */
export class LokiHttpError extends Error {
  override name = 'LokiHttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A problem using the receiver itself (not a Loki answer). */
export class LokiReceiverError extends Error {
  override name = 'LokiReceiverError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`[@pactown/loki-receiver] ${message}`, options);
  }
}

/** Loki's LogQL parse error text: `parse error at line 1, col N: <why>`. */
export function parseError(why: string, col?: number): LokiHttpError {
  const where = col === undefined ? ' ' : ` at line 1, col ${col}`;
  return new LokiHttpError(400, `parse error${where}: ${why}`);
}
