import { serializeError } from '../error-data.js';
import { escapeJsonUnsafe, isJsonUnsafe } from './escape.js';

/**
 * A JSON string literal. Short strings that need no escaping are quoted by hand,
 * which V8 does faster than `JSON.stringify` on Node 20-24 (pino does the same).
 */
export function quote(text: string): string {
  if (text.length > 64) return escapeJsonUnsafe(JSON.stringify(text));
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff) || (c >= 0x85 && isJsonUnsafe(c)))
      return escapeJsonUnsafe(JSON.stringify(text));
  }
  return `"${text}"`;
}

const keyCache = new Map<string, string>();

/** `"key":` for an object key, cached (keys repeat on every record). */
export function jsonKey(key: string): string {
  let text = keyCache.get(key);
  if (text === undefined) {
    text = `${escapeJsonUnsafe(JSON.stringify(key))}:`;
    if (keyCache.size > 5000) keyCache.clear();
    keyCache.set(key, text);
  }
  return text;
}

/** One value as JSON text, or `undefined` to leave the key out (undefined, functions, symbols). */
export function jsonValue(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? `${value}` : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value}"`;
    case 'object':
      if (value === null) return 'null';
      return safeStringify(value instanceof Error ? serializeError(value) : value);
    default:
      return undefined;
  }
}

function safeStringify(value: object): string {
  try {
    return escapeJsonUnsafe(JSON.stringify(value, bigintSafe) ?? 'null');
  } catch {
    return escapeJsonUnsafe(stringifyCircular(value));
  }
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function stringifyCircular(value: object): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'bigint') return v.toString();
        if (v !== null && typeof v === 'object') {
          if (seen.has(v)) return '[Circular]';
          seen.add(v);
        }
        return v;
      }) ?? 'null'
    );
  } catch {
    return '"[Unserializable]"';
  }
}
