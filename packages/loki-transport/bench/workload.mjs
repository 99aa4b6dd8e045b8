// Varied lines shaped like the seed document's: sandbox, security and cache
// messages with user ids, PIDs, ports and anomaly types. Every message ends
// with its sequence number, `(#i)`, so each line is unique and the decoder can
// tell which lines arrived, however a shipper formats them.
const LOGGERS = ['pactown.sandbox', 'pactown.security', 'pactown.fast_start', 'pactown.runner'];
const ANOMALIES = ['RATE_LIMIT_EXCEEDED', 'CONCURRENT_LIMIT_EXCEEDED', 'UNAUTHORIZED_ACCESS', 'SERVER_OVERLOADED'];

/** The i-th line: [method, logger, fields, message]. */
export function line(i) {
  const [method, name, fields, msg] = shape(i);
  return [method, name, fields, `${msg} (#${i})`];
}

/** Matches the sequence number in a shipped line (logfmt, JSON or plain). */
export const SEQ = /\(#(\d+)\)/;

function shape(i) {
  const service = `service_${i % 97}`;
  const user = `user${i % 1013}`;
  switch (i % 8) {
    case 0:
      return ['info', LOGGERS[0], { service }, `Creating sandbox for ${service}`];
    case 1:
      return [
        'debug',
        LOGGERS[0],
        { service, port: 8000 + (i % 500) },
        `Run command: uvicorn main:app --host 0.0.0.0 --port ${8000 + (i % 500)}`,
      ];
    case 2:
      return [
        'info',
        LOGGERS[0],
        { service, pid: 10000 + (i % 50000) },
        `Process started with PID: ${10000 + (i % 50000)}`,
      ];
    case 3:
      return [
        'info',
        LOGGERS[1],
        { userId: user, serviceId: service },
        `Security check for ${user} starting ${service}`,
      ];
    case 4:
      return [
        'warn',
        LOGGERS[1],
        { userId: user, anomaly: ANOMALIES[i % 4] },
        `${ANOMALIES[i % 4]} | user=${user} service=${service} | ${i % 61}/60 requests`,
      ];
    case 5:
      return [
        'debug',
        LOGGERS[2],
        { deps: ['fastapi', 'uvicorn'] },
        `Cache hit: venv_${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}`,
      ];
    case 6:
      return [
        'error',
        LOGGERS[0],
        { service, stream: 'stderr' },
        "ModuleNotFoundError: No module named 'missing_module'",
      ];
    default:
      return ['info', LOGGERS[3], { service, status: 200, elapsedMs: i % 900 }, `✓ Server responding (status 200)`];
  }
}
