// Go's float formatting, as Loki prints numbers: strconv.FormatFloat(v, 'f',
// -1, 64) for sample values (Prometheus' JSON) and fmt's %v ('g' with the
// shortest digits, an exponent below 1e-4 or from 1e6 up: "1e+06") in templates.

/** Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits, never an exponent; NaN, +Inf, -Inf. */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  const text = String(v);
  if (!text.includes('e')) return text;
  const negative = v < 0;
  const [mantissa, expText] = (negative ? text.slice(1) : text).split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const dot = mantissa.indexOf('.');
  const pointAt = (dot < 0 ? mantissa.length : dot) + Number(expText);
  let out: string;
  if (pointAt <= 0) out = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) out = digits + '0'.repeat(pointAt - digits.length);
  else out = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return negative ? `-${out}` : out;
}

/** Go's fmt %v of a float64 (strconv 'g', shortest): `1e+06`, `1.5`, `1e-05`, `123456`. */
export function formatFloatV(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return formatFloatF(v);
}
