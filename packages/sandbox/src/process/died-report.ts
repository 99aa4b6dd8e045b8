/**
 * Assembles the died report: exit facts, tails, classification, files.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type FailureFacts, classifyFailure } from './classify.js';
import type { TailSnapshot } from './tail-buffer.js';
import type { DiedReport, ExitDescription } from './types.js';

/** The environment folder of a service folder: `.venv` first, then `node_modules`. */
export function findEnvDir(cwd: string): string | null {
  for (const name of ['.venv', 'node_modules']) {
    const path = join(cwd, name);
    if (existsSync(path)) return path;
  }
  return null;
}

const MAX_FILES = 500;

/** Top-level names in a folder, sorted; `[]` when it cannot be read. */
export async function listFiles(cwd: string): Promise<string[]> {
  try {
    const names = await readdir(cwd);
    return names.sort().slice(0, MAX_FILES);
  } catch {
    return [];
  }
}

export interface ReportInput {
  serviceId: string;
  pid: number | null;
  command: string;
  cwd: string;
  envDir: string | null;
  exit: ExitDescription;
  /** Overrides `exit.message` (e.g. a readiness timeout). */
  message?: string;
  stdout: TailSnapshot;
  stderr: TailSnapshot;
  files: string[];
  startedAt: number;
  endedAt: number;
  facts: Omit<FailureFacts, 'exit' | 'stderr' | 'stdout'>;
}

/** Builds a report; the category comes from {@link classifyFailure}. */
export function buildDiedReport(input: ReportInput): DiedReport {
  const { category, suggestions } = classifyFailure({
    ...input.facts,
    exit: input.exit,
    stderr: input.stderr.text,
    stdout: input.stdout.text,
  });
  return {
    serviceId: input.serviceId,
    pid: input.pid,
    command: input.command,
    cwd: input.cwd,
    envDir: input.envDir,
    exit: input.exit,
    message: input.message ?? input.exit.message,
    category,
    suggestions,
    stderrTail: input.stderr.text,
    stderrDroppedBytes: input.stderr.droppedBytes,
    stdoutTail: input.stdout.text,
    stdoutDroppedBytes: input.stdout.droppedBytes,
    files: input.files,
    startedAt: new Date(input.startedAt).toISOString(),
    endedAt: new Date(input.endedAt).toISOString(),
    durationMs: Math.max(0, input.endedAt - input.startedAt),
  };
}
