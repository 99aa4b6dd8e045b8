import { writeErrorFile } from '@pactown/error-files';
import type { DiedReport, GaveUpInfo, RestartingInfo, ServiceLogRecord } from '@pactown/sandbox';
import type { RunnerContext } from '../app/context.js';
import { isActive } from './registry.js';

/** How often the app looks whether a restarted service is up again (the runner has no event for it). */
const RESTART_POLL_MS = 100;

/**
 * Connects the runner's events to the app: every live line into the hub (for
 * SSE), every death after a successful start into an error file, the
 * registry and a log line, and the restart policy's `'restarting'` and
 * `'gave-up'` into the registry (status `restarting`, the restart count) and
 * the log streams.
 */
export function wireRunnerEvents(ctx: RunnerContext): () => void {
  const onLog = (_serviceId: string, record: ServiceLogRecord) => {
    ctx.hub.publish(record.serviceId, {
      message: record.message,
      level: record.level,
      levelName: record.levelName,
      stream: record.stream,
      time: record.time,
    });
  };
  const onDied = (report: DiedReport) => {
    const entry = ctx.registry.get(report.serviceId);
    // A stop we asked for is not a death.
    if (entry && !isActive(entry)) return;
    if (entry?.status === 'stopping') return;
    ctx.runs.died++;
    const userId = entry?.userId ?? 'unknown';
    const log = ctx.logging.root.child({ user: userId, service: report.serviceId });
    log.error(
      `Service died | user=${userId} service=${report.serviceId} category=${report.category}: ${report.message}`,
    );
    ctx.registry.update(report.serviceId, {
      status: 'exited',
      message: report.message,
      errorCategory: report.category,
      suggestions: report.suggestions.map((s) => ({
        action: s.action,
        description: s.description,
        ...(s.command ? { command: s.command } : {}),
        auto_fixable: s.autoFixable,
      })),
    });
    // The status event goes out once the error file exists, so a page can show it at once.
    void ctx.track(
      // The died report is masked by sandbox already (its tails, message and files): not masked a second time.
      writeErrorFile(report, { logDir: ctx.config.logDir, redact: false })
        .then(
          // Only while the id is still this owner's (it may have been deleted and taken meanwhile).
          (file) =>
            ctx.registry.get(report.serviceId)?.userId === userId &&
            ctx.registry.update(report.serviceId, { errorLog: file }),
          (error: unknown) => log.error({ err: error }, `Could not write the error file of ${report.serviceId}`),
        )
        // A restart may already be under way: the streams then hear that, not a final `exited`.
        .finally(() => {
          const now = ctx.registry.get(report.serviceId);
          if (now?.userId !== userId) return;
          if (now.status === 'restarting') ctx.hub.status(report.serviceId, 'restarting', now.message ?? undefined);
          else if (now.status === 'exited') ctx.hub.status(report.serviceId, 'exited', now.message ?? report.message);
        }),
    );
  };
  const timers = new Set<NodeJS.Timeout>();
  // Once the restarted process is up the runner lists it as running again: the app follows.
  const watchRestart = (serviceId: string, userId: string) => {
    const timer = setInterval(() => {
      const entry = ctx.registry.get(serviceId);
      if (entry?.userId !== userId || entry.status !== 'restarting') {
        clearInterval(timer);
        timers.delete(timer);
        return;
      }
      const info = ctx.runner.get(serviceId);
      if (info?.state !== 'running') return;
      clearInterval(timer);
      timers.delete(timer);
      ctx.registry.update(serviceId, { status: 'running', pid: info.pid ?? null });
      ctx.hub.status(serviceId, 'running');
    }, RESTART_POLL_MS);
    timer.unref();
    timers.add(timer);
  };
  const onRestarting = (info: RestartingInfo) => {
    const entry = ctx.registry.get(info.serviceId);
    // The death that comes just before has marked it exited; a stop asked for meanwhile wins.
    if (!entry || !['running', 'restarting', 'exited'].includes(entry.status)) return;
    ctx.runs.restarted++;
    ctx.registry.update(info.serviceId, {
      status: 'restarting',
      endedAt: null,
      restarts: entry.restarts + 1,
      pid: null,
      message: info.message,
    });
    ctx.hub.status(info.serviceId, 'restarting', info.message);
    watchRestart(info.serviceId, entry.userId);
  };
  const onGaveUp = (info: GaveUpInfo) => {
    const entry = ctx.registry.get(info.serviceId);
    if (!entry || entry.status === 'stopping' || entry.status === 'stopped') return;
    ctx.runs.gaveUp++;
    ctx.registry.update(info.serviceId, { status: 'exited', pid: null, message: info.message });
    ctx.hub.status(info.serviceId, 'exited', info.message);
  };
  ctx.runner.on('log', onLog);
  ctx.runner.on('died', onDied);
  ctx.runner.on('restarting', onRestarting);
  ctx.runner.on('gave-up', onGaveUp);
  return () => {
    ctx.runner.off('log', onLog);
    ctx.runner.off('died', onDied);
    ctx.runner.off('restarting', onRestarting);
    ctx.runner.off('gave-up', onGaveUp);
    for (const timer of timers) clearInterval(timer);
    timers.clear();
  };
}
