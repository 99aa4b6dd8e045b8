import type { ServiceLogRecord } from '@pactown/sandbox';
import type { LiveLine } from '../services/live-hub.js';

/** The wire shape of one live line (NDJSON `log` items and SSE `log` events). */
export interface WireLine {
  seq?: number;
  service_id: string;
  message: string;
  level: string;
  stream: 'stdout' | 'stderr' | 'system';
  time: string;
}

export function wireLine(line: LiveLine | ServiceLogRecord): WireLine {
  return {
    ...('seq' in line ? { seq: line.seq } : {}),
    service_id: line.serviceId,
    message: line.message,
    level: line.levelName === 'WARN' ? 'WARNING' : line.levelName,
    stream: line.stream,
    time: new Date(line.time).toISOString(),
  };
}
