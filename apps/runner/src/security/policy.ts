import type { Anomaly, AnomalyLog, AnomalySeverity, AnomalyType } from './anomaly-log.js';
import { TokenBucketLimiter } from './token-bucket.js';

/** The few logger methods the policy calls (a log-core `Logger` fits). */
export interface PolicyLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  fatal(message: string): void;
  /** When present, lines get `user` and `service` fields (Loki's `user=...`, the per-user files). */
  child?(bindings: Record<string, unknown>): PolicyLogger;
}

export interface SecurityPolicyOptions {
  logger: PolicyLogger;
  anomalies: AnomalyLog;
  /** @default 60 */
  rateLimitPerMinute?: number;
  /** @default 10 */
  rateLimitBurst?: number;
  /** @default 5 */
  maxServicesPerUser?: number;
  now?: () => number;
}

export interface StartCheck {
  userId: string;
  serviceId: string;
  /** Services this user has running now (the new one not counted). */
  running: number;
}

export type Decision =
  | { allowed: true }
  | { allowed: false; anomaly: Anomaly; status: 429; retryAfterSeconds?: number; message: string };

/**
 * The checks a start goes through, in the order of the original policy, each
 * logged on `pactown.security`. A denial is an anomaly: a JSON line in the
 * anomaly log and a log line carrying the type and `user=`.
 */
export class SecurityPolicy {
  readonly maxServicesPerUser: number;
  readonly rateLimitPerMinute: number;
  #logger: PolicyLogger;
  #anomalies: AnomalyLog;
  #limiter: TokenBucketLimiter;
  #now: () => number;

  constructor(options: SecurityPolicyOptions) {
    this.#logger = options.logger;
    this.#anomalies = options.anomalies;
    this.#now = options.now ?? Date.now;
    this.rateLimitPerMinute = options.rateLimitPerMinute ?? 60;
    this.maxServicesPerUser = options.maxServicesPerUser ?? 5;
    this.#limiter = new TokenBucketLimiter({
      perMinute: this.rateLimitPerMinute,
      burst: options.rateLimitBurst ?? 10,
      now: this.#now,
    });
  }

  #loggerFor(userId: string, serviceId: string): PolicyLogger {
    return this.#logger.child?.({ user: userId, service: serviceId }) ?? this.#logger;
  }

  checkStart({ userId, serviceId, running }: StartCheck): Decision {
    const log = this.#loggerFor(userId, serviceId);
    log.info(`Security check for ${userId} starting service_${serviceId}`);
    const rate = this.#limiter.take(userId);
    log.debug(`Rate limit check: ${rate.usedLastMinute}/${this.rateLimitPerMinute} requests used`);
    if (!rate.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
      const anomaly = this.report(
        'RATE_LIMIT_EXCEEDED',
        'WARNING',
        userId,
        serviceId,
        `Rate limit exceeded: ${rate.usedLastMinute}/${this.rateLimitPerMinute} requests in the last minute, retry in ${retryAfterSeconds}s`,
        { used: rate.usedLastMinute, limit: this.rateLimitPerMinute, retry_after_s: retryAfterSeconds },
      );
      return { allowed: false, anomaly, status: 429, retryAfterSeconds, message: anomaly.details };
    }
    log.debug(`Concurrent services: ${running}/${this.maxServicesPerUser}`);
    if (running >= this.maxServicesPerUser) {
      const anomaly = this.report(
        'CONCURRENT_LIMIT_EXCEEDED',
        'WARNING',
        userId,
        serviceId,
        `Concurrent services limit reached: ${running}/${this.maxServicesPerUser}`,
        { running, limit: this.maxServicesPerUser },
      );
      return { allowed: false, anomaly, status: 429, message: anomaly.details };
    }
    log.info('Security check passed');
    this.#limiter.prune();
    return { allowed: true };
  }

  /** Records an anomaly: JSON line first (the durable record), then the log line. */
  report(
    type: AnomalyType,
    severity: AnomalySeverity,
    userId: string,
    serviceId: string,
    details: string,
    metadata?: Record<string, unknown>,
  ): Anomaly {
    const anomaly: Anomaly = {
      timestamp: new Date(this.#now()).toISOString(),
      anomaly_type: type,
      user_id: userId,
      service_id: serviceId,
      details,
      severity,
      ...(metadata ? { metadata } : {}),
    };
    this.#anomalies.append(anomaly);
    const line = formatAnomalyLine(anomaly);
    const log = this.#loggerFor(userId, serviceId);
    if (severity === 'INFO') log.info(line);
    else if (severity === 'WARNING') log.warn(line);
    else if (severity === 'ERROR') log.error(line);
    else log.fatal(line);
    return anomaly;
  }
}

/** `RATE_LIMIT_EXCEEDED | user=user123 service=svc | details` (the level comes from the formatter). */
export function formatAnomalyLine(anomaly: Anomaly): string {
  return `${anomaly.anomaly_type} | user=${anomaly.user_id} service=${anomaly.service_id} | ${anomaly.details}`;
}
