import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { MessageLevel, MessageSink } from '../../src/deps/types.js';
import type { ServiceFile } from '../../src/spec/types.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'runner');

/** Every file under a fixture folder, as sandbox files under `prefix`. */
export async function fixtureFiles(name: string, prefix = name): Promise<ServiceFile[]> {
  const base = join(FIXTURES, name);
  const out: ServiceFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push({ path: `${prefix}/${relative(base, full)}`, content: await readFile(full, 'utf8') });
    }
  };
  await walk(base);
  return out;
}

/** A sink that remembers every message. */
export function recordingSink(): MessageSink & { messages: Array<{ level: MessageLevel; message: string; logger?: string }> } {
  const messages: Array<{ level: MessageLevel; message: string; logger?: string }> = [];
  const sink = ((level, message, detail) => {
    messages.push({ level, message, logger: detail?.logger });
  }) as MessageSink & { messages: typeof messages };
  sink.messages = messages;
  return sink;
}
