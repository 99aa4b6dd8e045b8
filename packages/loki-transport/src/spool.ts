import fs from 'node:fs';
import path from 'node:path';
import type { Payload } from './payload.js';

/** A batch on disk, as the spool lists it. */
export interface SpoolFile {
  file: string;
  size: number;
  lines: number;
  lineBytes: number;
  wire: Payload['wire'];
  gzip: boolean;
}

const NAME = /^(\d{12})-(\d+)-(\d+)\.(pb|json|json\.gz)$/;
const EXT = { pb: ['protobuf', false], json: ['json', false], 'json.gz': ['json', true] } as const;

/**
 * The durable spool: one file per batch, written (temp file + rename) before
 * the batch is sent and removed once Loki accepts it. Page-cache writes survive
 * a killed process; `fsync` is left out on purpose (it would not survive a
 * power loss cheaply either way, and costs a disk flush per batch).
 */
export class Spool {
  readonly dir: string;
  #seq = 0;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates the folder, clears half-written files and lists what a previous run left, oldest first. */
  open(): SpoolFile[] {
    fs.mkdirSync(this.dir, { recursive: true });
    const found: Array<SpoolFile & { seq: number }> = [];
    for (const name of fs.readdirSync(this.dir)) {
      if (name.endsWith('.tmp')) {
        fs.rmSync(path.join(this.dir, name), { force: true });
        continue;
      }
      const m = NAME.exec(name);
      if (!m) continue;
      const file = path.join(this.dir, name);
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        continue;
      }
      const [wire, gzip] = EXT[m[4] as keyof typeof EXT];
      found.push({ seq: Number(m[1]), file, size, lines: Number(m[2]), lineBytes: Number(m[3]), wire, gzip });
    }
    found.sort((a, b) => a.seq - b.seq);
    this.#seq = found.length > 0 ? found[found.length - 1]!.seq + 1 : 0;
    return found.map(({ seq: _seq, ...rest }) => rest);
  }

  /** Writes a batch; returns its file. Throws on a disk error (the caller keeps the batch in memory). */
  write(payload: Payload): string {
    const ext = payload.wire === 'protobuf' ? 'pb' : payload.gzip ? 'json.gz' : 'json';
    const name = `${String(this.#seq++).padStart(12, '0')}-${payload.lines}-${payload.lineBytes}.${ext}`;
    const file = path.join(this.dir, name);
    fs.writeFileSync(`${file}.tmp`, payload.body);
    fs.renameSync(`${file}.tmp`, file);
    return file;
  }

  read(file: string): Buffer {
    return fs.readFileSync(file);
  }

  remove(file: string): void {
    fs.rmSync(file, { force: true });
  }
}
