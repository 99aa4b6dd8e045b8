import type { ServiceLogRecord } from '../process/types.js';

/** The last `size` records of each service, oldest first. */
export class History {
  readonly #size: number;
  readonly #rings = new Map<string, ServiceLogRecord[]>();

  constructor(size: number) {
    this.#size = size;
  }

  push(record: ServiceLogRecord): void {
    if (this.#size === 0) return;
    let ring = this.#rings.get(record.serviceId);
    if (ring === undefined) this.#rings.set(record.serviceId, (ring = []));
    ring.push(record);
    // Trim in batches so a busy service does not shift the array on every line.
    if (ring.length > this.#size * 1.25) ring.splice(0, ring.length - this.#size);
  }

  get(serviceId: string): ServiceLogRecord[] {
    const ring = this.#rings.get(serviceId) ?? [];
    return ring.slice(-this.#size);
  }
}
