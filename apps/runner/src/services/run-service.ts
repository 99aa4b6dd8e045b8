import { writeErrorFile } from '@pactown/error-files';
import { parseLevel } from '@pactown/log-core';
import type { RunResult, ServiceLogRecord } from '@pactown/sandbox';
import type { RunnerContext } from '../app/context.js';
import type { Caller } from '../http/auth.js';
import type { RunRequest } from '../http/schemas.js';
import { pickFreePort } from './ports.js';
import { AnswerLines, boundTail, boundText } from './answer-bounds.js';
import { isActive, type SuggestionView } from './registry.js';

export interface RunAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

function suggestionsView(list: RunResult['suggestions'] | undefined): SuggestionView[] {
  return (list ?? []).map((s) => ({
    action: s.action,
    description: s.description,
    ...(s.command ? { command: s.command } : {}),
    auto_fixable: s.autoFixable,
  }));
}

function refused(status: number, serviceId: string, message: string, category?: string): RunAnswer {
  return {
    status,
    body: {
      success: false,
      service_id: serviceId,
      ...(category ? { error_category: category } : {}),
      message,
      logs: [`❌ ${message}`],
      stderr_output: '',
      suggestions: [],
    },
  };
}

/**
 * One `POST /run` from checks to answer: ownership, security policy, port,
 * the run itself, and on failure the error file. `onLog` sees every live line
 * of the run as it happens (the NDJSON stream).
 */
export async function performRun(
  ctx: RunnerContext,
  request: RunRequest,
  caller: Caller,
  onLog?: (record: ServiceLogRecord) => void,
): Promise<RunAnswer> {
  const { serviceId } = request;
  if (!ctx.accepting) return refused(503, serviceId, 'The server is shutting down; no new runs are accepted');
  if (caller.authenticated && request.userId !== undefined && request.userId !== caller.userId) {
    return refused(403, serviceId, `user_id ${request.userId} does not match the token's user`);
  }
  const userId = caller.authenticated ? caller.userId : (request.userId ?? caller.userId);
  const log = ctx.logging.root.child({ user: userId, service: serviceId });

  const existing = ctx.registry.get(serviceId);
  // An id stays its owner's, running or ended, until they delete it or it is forgotten.
  if (existing && existing.userId !== userId) {
    return refused(409, serviceId, `service_id ${serviceId} belongs to another user`);
  }
  if (existing?.status === 'starting' || existing?.status === 'stopping') {
    return refused(409, serviceId, `service ${serviceId} is ${existing.status}; try again when it is done`);
  }

  const decision = ctx.policy.checkStart({ userId, serviceId, running: ctx.registry.activeCount(userId, serviceId) });
  if (!decision.allowed) {
    ctx.runs.denied++;
    const answer = refused(decision.status, serviceId, decision.message, 'security');
    answer.body.anomaly_type = decision.anomaly.anomaly_type;
    if (decision.retryAfterSeconds !== undefined)
      answer.headers = { 'retry-after': String(decision.retryAfterSeconds) };
    return answer;
  }

  // A running instance of the same id is replaced by the runner itself (stopped first, not a death).
  if (existing && isActive(existing)) log.info(`Restarting ${serviceId} | user=${userId} service=${serviceId}`);
  // Claim the id before the first await, so a concurrent run of it sees this one.
  const reserved = ctx.registry.reservedPorts();
  const restart = request.restart ?? ctx.config.restart;
  ctx.registry.begin(serviceId, userId, request.port ?? null, restart);
  // A new owner of the id starts from nothing: no earlier tail, no earlier subscribers.
  if (!existing) ctx.hub.drop(serviceId);
  ctx.hub.reset(serviceId);
  ctx.hub.status(serviceId, 'starting');
  let port: number;
  try {
    port = request.port ?? (await pickFreePort(reserved));
  } catch (error) {
    ctx.registry.update(serviceId, { status: 'failed', message: 'no free port' });
    ctx.hub.status(serviceId, 'failed', 'no free port');
    throw error;
  }
  ctx.registry.update(serviceId, { port });
  log.info(`Run requested | user=${userId} service=${serviceId} port=${port} restart=${restart}`);

  // The answer's logs are collected here, bounded (first and last lines); the runner keeps none.
  const bounds = { maxLines: ctx.config.answerMaxLines, maxBytes: ctx.config.answerMaxBytes };
  const answerLines = new AnswerLines(bounds);
  const threshold = parseLevel(ctx.config.uiLogLevel);
  const collect = (record: ServiceLogRecord) => {
    if (record.level < threshold) return;
    answerLines.push(record.message);
    onLog?.(record);
  };
  const finish = () => {
    ctx.drops.add(
      'answer_bound',
      answerLines.omitted,
      `the answer of a run keeps its first and last ${ctx.config.answerMaxLines} lines or ${ctx.config.answerMaxBytes} bytes (PACTOWN_ANSWER_MAX_LINES, PACTOWN_ANSWER_MAX_BYTES); sandbox.log and Loki have every line`,
    );
    return answerLines.lines();
  };

  let result: RunResult;
  try {
    result = await ctx.runner.runFromContent({
      serviceId,
      content: request.content,
      port,
      env: request.env,
      timeoutMs: ctx.config.runTimeoutMs,
      onLog: collect,
      restart,
    });
  } catch (error) {
    // Invalid options or a sandbox that could not be created: the runner threw instead of answering.
    const message = error instanceof Error ? error.message : String(error);
    ctx.registry.update(serviceId, { status: 'failed', message, errorCategory: 'validation' });
    ctx.runs.failure++;
    log.error({ err: error }, `Run failed before start | user=${userId} service=${serviceId}`);
    return refused(400, serviceId, message, 'validation');
  }

  if (result.success) {
    ctx.runs.success++;
    ctx.registry.update(serviceId, {
      status: 'running',
      pid: result.pid ?? null,
      port: result.port ?? port,
      message: result.message,
    });
    ctx.hub.status(serviceId, 'running');
    log.info(`Run succeeded | user=${userId} service=${serviceId} pid=${result.pid} port=${result.port}`);
    return {
      status: 200,
      body: {
        success: true,
        service_id: serviceId,
        port: result.port ?? port,
        pid: result.pid,
        message: boundText(result.message, bounds.maxBytes),
        logs: finish(),
      },
    };
  }

  ctx.runs.failure++;
  const suggestions = suggestionsView(result.suggestions);
  let errorLog: string | null = null;
  if (result.diedReport) {
    errorLog = await ctx.track(
      writeErrorFile(result.diedReport, { logDir: ctx.config.logDir, redact: false }).catch((error: unknown) => {
        log.error({ err: error }, `Could not write the error file of ${serviceId}`);
        return null;
      }),
    );
  }
  ctx.registry.update(serviceId, {
    status: 'failed',
    pid: result.pid ?? null,
    message: result.message,
    errorCategory: result.errorCategory,
    suggestions,
    errorLog,
  });
  ctx.hub.status(serviceId, 'failed', result.message);
  log.error(`Run failed | user=${userId} service=${serviceId} category=${result.errorCategory}: ${result.message}`);
  return {
    status: 200,
    body: {
      success: false,
      service_id: serviceId,
      error_category: result.errorCategory,
      message: boundText(result.message, bounds.maxBytes),
      logs: finish(),
      stderr_output: boundTail(result.stderrOutput ?? '', bounds).text,
      suggestions,
      error_log: errorLog,
    },
  };
}
