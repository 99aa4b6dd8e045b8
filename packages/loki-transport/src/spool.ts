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

/** When spool files are forced to disk: never (the page cache survives a killed process), or each batch before it counts as spooled. */
export type SpoolFsync = 'never' | 'batch';

const NAME = /^(\d{12})-(\d+)-(\d+)\.(pb|json|json\.gz)$/;
const TEMP = /^\d{12}-\d+-\d+\.(pb|json|json\.gz)\.tmp$/;
const EXT = { pb: ['protobuf', false], json: ['json', false], 'json.gz': ['json', true] } as const;

/**
 * The durable spool: one file per batch, written (temp file + rename) before
 * the batch is sent and removed once Loki accepts it. Page-cache writes survive
 * a killed process; `fsync: 'batch'` also survives a power loss, at the cost of
 * a disk flush per batch.
 */
export class Spool {
  readonly dir: string;
  readonly #fsync: SpoolFsync;
  #seq = 0;
  /** Entries named like batches that are not regular files: left alone, never counted. */
  skipped: string[] = [];

  constructor(dir: string, fsync: SpoolFsync = 'never') {
    this.dir = dir;
    this.#fsync = fsync;
  }

  /**
   * Creates the folder, clears half-written files of earlier runs and lists
   * the batches they left, oldest first. Throws when the folder cannot be
   * made or read (the caller goes on without a spool).
   */
  open(): SpoolFile[] {
    fs.mkdirSync(this.dir, { recursive: true });
    const found: Array<SpoolFile & { seq: number }> = [];
    this.skipped = [];
    for (const entry of fs.readdirSync(this.dir, { withFileTypes: true })) {
      const name = entry.name;
      const m = NAME.exec(name);
      if (!m && !TEMP.test(name)) continue;
      // A folder or link named like a batch was not written here: neither read, counted nor removed.
      if (!entry.isFile()) {
        this.skipped.push(name);
        continue;
      }
      const file = path.join(this.dir, name);
      if (!m) {
        fs.rmSync(file, { force: true });
        continue;
      }
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
    const last = Math.max(-1, ...found.map((f) => f.seq), ...this.skipped.map((n) => Number(n.slice(0, 12))));
    this.#seq = last + 1;
    return found.map(({ seq: _seq, ...rest }) => rest);
  }

  /** Writes a batch and returns its file; on a disk error removes the partial file and throws. */
  write(payload: Payload): string {
    const ext = payload.wire === 'protobuf' ? 'pb' : payload.gzip ? 'json.gz' : 'json';
    const name = `${String(this.#seq++).padStart(12, '0')}-${payload.lines}-${payload.lineBytes}.${ext}`;
    const file = path.join(this.dir, name);
    const temp = `${file}.tmp`;
    let fd: number | undefined;
    try {
      fd = fs.openSync(temp, 'wx', 0o600);
      let off = 0;
      while (off < payload.body.length) off += fs.writeSync(fd, payload.body, off);
      if (this.#fsync === 'batch') fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = undefined;
      fs.renameSync(temp, file);
    } catch (err) {
      if (fd !== undefined) fs.closeSync(fd);
      fs.rmSync(temp, { force: true });
      throw err;
    }
    return file;
  }

  read(file: string): Buffer {
    return fs.readFileSync(file);
  }

  remove(file: string): void {
    fs.rmSync(file, { force: true });
  }
}
