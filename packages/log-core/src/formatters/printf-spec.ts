/** One Python `%`-conversion with flags, width and precision (`%-8s`, `%05d`, `%.3f`). */
export function printfConvert(
  value: unknown,
  flags: string,
  width: number,
  precision: number | undefined,
  conversion: string,
): string {
  let body: string;
  let numeric = true;
  switch (conversion) {
    case 'd':
    case 'i':
    case 'u':
      body = integer(value, 10);
      break;
    case 'x':
      body = integer(value, 16);
      break;
    case 'X':
      body = integer(value, 16).toUpperCase();
      break;
    case 'o':
      body = integer(value, 8);
      break;
    case 'f':
    case 'F':
      body = float(value, (n) => n.toFixed(precision ?? 6));
      break;
    case 'e':
    case 'E': {
      const text = float(value, (n) => n.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2'));
      body = conversion === 'E' ? text.toUpperCase() : text;
      break;
    }
    case 'g':
    case 'G': {
      const text = float(value, (n) => String(Number(n.toPrecision(precision || 6))));
      body = conversion === 'G' ? text.toUpperCase() : text;
      break;
    }
    case 'c':
      numeric = false;
      body = typeof value === 'number' ? String.fromCodePoint(value) : String(value).slice(0, 1);
      break;
    case 'r':
    case 'a':
      numeric = false;
      body = repr(value);
      if (precision !== undefined) body = body.slice(0, precision);
      break;
    default:
      numeric = false;
      body = toText(value);
      if (precision !== undefined) body = body.slice(0, precision);
  }
  if (numeric && !body.startsWith('-') && /^[\d.]|^inf|^nan/i.test(body)) {
    if (flags.includes('+')) body = `+${body}`;
    else if (flags.includes(' ')) body = ` ${body}`;
  }
  if (body.length >= width) return body;
  if (flags.includes('-')) return body.padEnd(width);
  if (numeric && flags.includes('0') && /^[+\- ]?\d/.test(body)) {
    const sign = /^[+\- ]/.test(body) ? body[0]! : '';
    return sign + body.slice(sign.length).padStart(width - sign.length, '0');
  }
  return body.padStart(width);
}

function integer(value: unknown, radix: number): string {
  const n = typeof value === 'bigint' ? value : Math.trunc(Number(value));
  if (typeof n === 'number' && !Number.isFinite(n)) return toText(value);
  return n.toString(radix);
}

function float(value: unknown, render: (n: number) => string): string {
  const n = Number(value);
  if (Number.isNaN(n)) return typeof value === 'number' ? 'nan' : toText(value);
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return render(n);
}

/** How `%s` shows a value: strings as they are, objects as JSON. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function repr(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return toText(value);
}
