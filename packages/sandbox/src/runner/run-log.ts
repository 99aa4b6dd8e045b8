import type { OnLog, ServiceRecords } from '../process/service-records.js';
import type { ServiceLogRecord } from '../process/types.js';

/**
 * What one run collects from its service's records until it has a result:
 * the texts at or above the threshold for `RunResult.logs`, and the run's own
 * `onLog`. It is one more subscriber of the service's records.
 */
export interface RunLog {
  readonly logs: string[];
  /** A record for this run's caller only (`logs` and `onLog`), never logged again: the stderr recap. */
  recap(record: ServiceLogRecord): void;
  /** The run has its result: later records reach only the other subscribers. */
  detach(): void;
}

export function collectRunLog(records: ServiceRecords, threshold: number, onLog: OnLog | undefined): RunLog {
  const logs: string[] = [];
  const take = (record: ServiceLogRecord): void => {
    if (record.level >= threshold) logs.push(record.message);
    if (onLog !== undefined) onLog(record);
  };
  const detach = records.subscribe(take);
  return {
    logs,
    recap(record) {
      try {
        take(record);
      } catch (error) {
        records.callbackFailed(error);
      }
    },
    detach,
  };
}
