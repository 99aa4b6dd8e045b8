/**
 * Loki's `util.GroupedErrors` (pkg/util/errors.go): equal messages are
 * counted, and when there is more than one message or one message more than
 * once, each reads `N errors like: <message>`, joined with `; `. Go prints
 * them in map order (random); this prints them in first-seen order.
 */
export class GroupedErrors {
  readonly #counts = new Map<string, number>();

  add(message: string): void {
    this.#counts.set(message, (this.#counts.get(message) ?? 0) + 1);
  }

  get size(): number {
    return this.#counts.size;
  }

  toString(): string {
    const many = this.#counts.size > 1;
    return [...this.#counts]
      .map(([message, n]) => (many || n > 1 ? `${n} errors like: ${message}` : message))
      .join('; ');
  }
}
