/**
 * OpenTelemetry correlation without importing `@opentelemetry/api`: the API
 * keeps its registered context manager on `globalThis` under
 * `Symbol.for('opentelemetry.js.api.1')` and the active span in the context
 * under `Symbol.for('OpenTelemetry Context Key SPAN')` (both part of its
 * cross-version contract). When the API is absent this is one property read
 * per record; nothing is loaded, at import or later.
 */
const API_KEY = Symbol.for('opentelemetry.js.api.1');
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const INVALID_TRACE = '00000000000000000000000000000000';

interface SpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

/** The active span's ids (`trace_id`, `span_id`, `trace_flags` as two hex digits), or undefined. */
export function activeTraceFields(): { trace_id: string; span_id: string; trace_flags: string } | undefined {
  const api = (
    globalThis as unknown as Record<symbol, { context?: { active(): { getValue(key: symbol): unknown } } } | undefined>
  )[API_KEY];
  const manager = api?.context;
  if (manager === undefined) return undefined;
  try {
    const span = manager.active().getValue(SPAN_KEY) as { spanContext?(): SpanContext } | undefined;
    const sc = span?.spanContext?.();
    if (sc === undefined || sc.traceId === INVALID_TRACE) return undefined;
    return { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: sc.traceFlags.toString(16).padStart(2, '0') };
  } catch {
    // A broken context manager must not break logging.
    return undefined;
  }
}
