import { serializeError } from '../errors.js';

/** One value as JSON text, or `undefined` to leave the key out (undefined, functions, symbols). */
export function jsonValue(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
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
    return JSON.stringify(value, bigintSafe) ?? 'null';
  } catch {
    return stringifyCircular(value);
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
