// Each shipper's settings, printed under every table. `defaults` is what a user
// gets by naming only the URL and one label; `equal` gives every shipper the
// same 1 s batch timer and no line cap of its own, so the race is about the
// shipping code rather than the timers. Ours keeps its idle send there (a batch
// goes out when the logger has nothing more to give, at most one such send per
// `idleSendGap`): it is an end-of-input rule, not a second timer, and turning it
// off would make ours wait a full batch age after the burst's last line while
// the peers' timers tick from their start.

/** Seconds a line can wait in each shipper's batch before its timer sends it. */
export const BATCH_SECONDS = {
  defaults: { ours: 1, 'pino-loki': 5, 'winston-loki': 5, devnull: 0, 'parse-only': 0 },
  equal: { ours: 1, 'pino-loki': 1, 'winston-loki': 1, devnull: 0, 'parse-only': 0 },
};

/** The options each shipper is created with (without the URL, which the run adds). */
export function settings(kind, variant) {
  const labels = { service: 'api' };
  if (kind === 'ours') {
    // Defaults: 1 MiB or 1 s batches, sent early when the logger goes idle, protobuf + snappy.
    return variant === 'equal' ? { labels, batchWait: 1000 } : { labels };
  }
  if (kind === 'pino-loki') {
    // Defaults: JSON, batches every 5 s, a buffer of 10,000 lines that drops the oldest.
    return variant === 'equal' ? { labels, batching: { interval: 1, maxBufferSize: 0 } } : { labels };
  }
  if (kind === 'winston-loki') {
    // Defaults: protobuf compressed by the native `snappy` package, batches every 5 s.
    return variant === 'equal' ? { labels, interval: 1 } : { labels };
  }
  if (kind === 'devnull') return { dest: '/dev/null', sync: false };
  return {};
}

/** A one-line description of a shipper and its settings, for the settings list under a table. */
export function describe(kind, variant) {
  const how = {
    ours: '@pactown/loki-transport through pino.transport (pino worker thread)',
    'pino-loki': 'pino-loki through pino.transport (pino worker thread)',
    'winston-loki': 'winston-loki as a winston transport (main thread)',
    devnull: 'pino to pino.destination("/dev/null") (no shipping)',
    'parse-only': 'a pino worker transport that only reads and JSON.parses its lines (no shipping)',
  }[kind];
  return `${how}; options ${JSON.stringify(settings(kind, variant))}; batch timer ${BATCH_SECONDS[variant][kind]} s`;
}
