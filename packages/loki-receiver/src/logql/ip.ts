import { BlockList, isIP } from 'node:net';

// The ip() filters (docs: log queries, "IP address matching"; Loki's
// pkg/logql/log/ip.go): a pattern is one address, a CIDR prefix or a range
// `a-b`; a line filter looks for any address in the line (scanning from
// each place that looks like the start of one), a label filter tests the
// label's value.

/** A pattern Loki refuses: `ip: invalid pattern: "..."`. */
export class IpPatternError extends Error {}

const V4 = new Set('0123456789.');
const V6 = new Set('0123456789abcdefABCDEF:.');
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /[0-9a-fA-F]/.test(c);

function family(ip: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(ip);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

/** Compiles a pattern to a test of one address text. */
export function compileIpPattern(pattern: string): (address: string) => boolean {
  const list = new BlockList();
  const single = family(pattern);
  if (single) list.addAddress(pattern, single);
  else {
    const prefix = /^([^/]+)\/(\d{1,3})$/.exec(pattern);
    const range = /^([^-]+)-([^-]+)$/.exec(pattern);
    if (prefix && family(prefix[1]!) && Number(prefix[2]) <= (family(prefix[1]!) === 'ipv4' ? 32 : 128)) {
      list.addSubnet(prefix[1]!, Number(prefix[2]), family(prefix[1]!)!);
    } else if (range && family(range[1]!) && family(range[1]!) === family(range[2]!)) {
      try {
        list.addRange(range[1]!, range[2]!, family(range[1]!)!);
      } catch {
        throw new IpPatternError(`ip: invalid pattern: ${JSON.stringify(pattern)}`);
      }
    } else throw new IpPatternError(`ip: invalid pattern: ${JSON.stringify(pattern)}`);
  }
  return (address) => {
    const f = family(address);
    return f !== undefined && list.check(address, f);
  };
}

function span(line: string, from: number, charset: Set<string>): number {
  let i = from;
  while (i < line.length && charset.has(line[i]!)) i++;
  return i - from;
}

/** True when an address in the line matches (Loki's scan: IPv4 and IPv6 start hints). */
export function lineHasIp(line: string, test: (address: string) => boolean): boolean {
  const n = line.length;
  for (let i = 0; i < n; i++) {
    const c = line.slice(i, i + 5);
    if (i + 3 < n && isDigit(c[0]) && (c[1] === '.' || c[2] === '.' || c[3] === '.')) {
      const len = span(line, i, V4);
      if (test(line.slice(i, i + len))) return true;
      i += len;
      continue;
    }
    const v6 =
      i + 4 < n &&
      ((c[0] === ':' && c[1] === ':' && isHex(c[2])) ||
        (isHex(c[0]) && c[1] === ':') ||
        (isHex(c[0]) && isHex(c[1]) && c[2] === ':') ||
        (isHex(c[0]) && isHex(c[1]) && isHex(c[2]) && c[3] === ':') ||
        (isHex(c[0]) && isHex(c[1]) && isHex(c[2]) && isHex(c[3]) && c[4] === ':'));
    if (v6) {
      const len = span(line, i, V6);
      if (test(line.slice(i, i + len))) return true;
      i += len;
    }
  }
  return false;
}
