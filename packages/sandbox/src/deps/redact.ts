import { getRedactor } from '@pactown/log-core';

/** Masks credentials (`https://user:token@host`, `TOKEN=...`) with log-core's configured redactor. */
export function redactText(text: string): string {
  return getRedactor().redactText(text);
}
