import { writeErrorFile } from '@pactown/error-files';
import type { DiedReport, ServiceLogRecord } from '@pactown/sandbox';
import type { RunnerContext } from '../app/context.js';
import { isActive } from './registry.js';

/**
 * Connects the runner's events to the app: every live line into the hub (for
 * SSE), and every death after a successful start into an error file, the
 * registry and a log line.
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
      writeErrorFile(report, { logDir: ctx.config.logDir })
        .then(
          // Only while the id is still this owner's (it may have been deleted and taken meanwhile).
          (file) =>
            ctx.registry.get(report.serviceId)?.userId === userId &&
            ctx.registry.update(report.serviceId, { errorLog: file }),
          (error: unknown) => log.error({ err: error }, `Could not write the error file of ${report.serviceId}`),
        )
        .finally(() => ctx.hub.status(report.serviceId, 'exited', report.message)),
    );
  };
  ctx.runner.on('log', onLog);
  ctx.runner.on('died', onDied);
  return () => {
    ctx.runner.off('log', onLog);
    ctx.runner.off('died', onDied);
  };
}
