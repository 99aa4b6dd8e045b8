/**
 * One stream of a decoded push, before validation: labels still as selector
 * text, entries in columns (times as [epoch ms, ns within the ms]). Lines stay
 * UTF-8 bytes: line `i` is `data[start[i], end[i])`, so a protobuf push is
 * stored without turning each line into a string (the store keeps `data`).
 */
export interface RawStream {
  labelsText: string;
  ms: number[];
  sub: number[];
  data: Buffer;
  start: number[];
  end: number[];
  metadata: Array<Record<string, string> | undefined>;
}

const EMPTY = Buffer.alloc(0);

/** An empty stream to fill column by column. */
export function rawStream(labelsText: string, size = 0, data: Buffer = EMPTY): RawStream {
  return {
    labelsText,
    ms: new Array(size),
    sub: new Array(size),
    data,
    start: new Array(size),
    end: new Array(size),
    metadata: new Array(size),
  };
}

/** Sets a stream's lines from strings (a JSON push): one buffer holds them all. */
export function setLines(raw: RawStream, lines: readonly string[]): void {
  let total = 0;
  for (const line of lines) total += Buffer.byteLength(line);
  const data = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < lines.length; i++) {
    raw.start[i] = pos;
    pos += data.write(lines[i]!, pos, 'utf8');
    raw.end[i] = pos;
  }
  raw.data = data;
}
