import { CODES, coreError } from '../codes.js';
/** Python's `time.strftime` subset used by `asctime`, in local time (or UTC). */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAYS_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Python's default `datefmt`; `asctime` then appends `,mmm`. */
export const DEFAULT_DATEFMT = '%Y-%m-%d %H:%M:%S';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Formats epoch milliseconds with strftime directives (`%Y %m %d %H %M %S %y %b %B %a %A %j %p %I %z %Z %f %%`). */
export function strftime(time: number, format: string, utc = false): string {
  const d = new Date(time);
  const Y = utc ? d.getUTCFullYear() : d.getFullYear();
  const mo = utc ? d.getUTCMonth() : d.getMonth();
  const day = utc ? d.getUTCDate() : d.getDate();
  const H = utc ? d.getUTCHours() : d.getHours();
  const M = utc ? d.getUTCMinutes() : d.getMinutes();
  const S = utc ? d.getUTCSeconds() : d.getSeconds();
  const wd = utc ? d.getUTCDay() : d.getDay();
  return format.replace(/%([a-zA-Z%])/g, (whole, c: string) => {
    switch (c) {
      case 'Y':
        return String(Y);
      case 'y':
        return pad(Y % 100);
      case 'm':
        return pad(mo + 1);
      case 'd':
        return pad(day);
      case 'H':
        return pad(H);
      case 'I':
        return pad(H % 12 || 12);
      case 'p':
        return H < 12 ? 'AM' : 'PM';
      case 'M':
        return pad(M);
      case 'S':
        return pad(S);
      case 'f':
        return `${pad(((time % 1000) + 1000) % 1000, 3)}000`;
      case 'a':
        return DAYS[wd]!;
      case 'A':
        return DAYS_LONG[wd]!;
      case 'b':
        return MONTHS[mo]!;
      case 'B':
        return MONTHS_LONG[mo]!;
      case 'j':
        return pad(dayOfYear(d, utc), 3);
      case 'z':
        return utc ? '+0000' : offset(d);
      case 'Z':
        return utc ? 'UTC' : zoneName(d);
      case '%':
        return '%';
      default:
        return whole;
    }
  });
}

function dayOfYear(d: Date, utc: boolean): number {
  const start = utc ? Date.UTC(d.getUTCFullYear(), 0, 1) : new Date(d.getFullYear(), 0, 1).getTime();
  const today = utc
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
    : new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  return Math.round((today - start) / 86_400_000) + 1;
}

function offset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

function zoneName(d: Date): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(d)
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? offset(d);
}

/** Throws a TypeError naming `datefmt` unless it is undefined or a string. */
export function checkDatefmt(datefmt: unknown): void {
  if (datefmt !== undefined && typeof datefmt !== 'string') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option datefmt: ${String(datefmt)}; expected a strftime string.`,
    );
  }
}

/**
 * A cached `asctime` renderer: the date part is rebuilt once per second.
 * With no `datefmt` it prints Python's default, `2026-11-26 23:59:59,123`.
 */
export function createAsctime(datefmt?: string, utc = false): (time: number) => string {
  let lastSecond = Number.NaN;
  let lastText = '';
  const fmt = datefmt ?? DEFAULT_DATEFMT;
  const withMillis = datefmt === undefined;
  const hasMicros = fmt.includes('%f');
  return (time: number) => {
    const second = Math.floor(time / 1000);
    if (hasMicros) return strftime(time, fmt, utc);
    if (second !== lastSecond) {
      lastSecond = second;
      lastText = strftime(time, fmt, utc);
    }
    if (!withMillis) return lastText;
    const ms = Math.floor(time - second * 1000);
    return `${lastText},${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
  };
}

/** `new Date(t).toISOString()`, cached for records in the same millisecond. */
export function createIsoTime(): (time: number) => string {
  let last = Number.NaN;
  let text = '';
  return (time: number) => {
    if (time !== last) {
      last = time;
      text = new Date(time).toISOString();
    }
    return text;
  };
}
