/**
 * Assembles the died report: exit facts, tails, classification, files.
 */
import { existsSync, opendirSync } from 'node:fs';
import { join } from 'node:path';
import { type FailureFacts, classifyFailure } from './classify.js';
import type { TailSnapshot } from './tail-buffer.js';
import type { DiedReport } from './types.js';

/** The environment folder of a service folder: `.venv` first, then `node_modules`. */
export function findEnvDir(cwd: string): string | null {
  for (const name of ['.venv', 'node_modules']) {
    const path = join(cwd, name);
    if (existsSync(path)) return path;
  }
  return null;
}

const MAX_FILES = 500;

/**
 * Top-level names in a folder, sorted, at most 500; `[]` when it cannot be
 * read. Synchronous on purpose: a sandbox folder is small, and a thread-pool
 * round trip would add milliseconds to every died report on a busy machine.
 */
export function listFilesSync(cwd: string): string[] {
  const names: string[] = [];
  try {
    const dir = opendirSync(cwd);
    try {
      for (let entry = dir.readSync(); entry !== null && names.length < MAX_FILES; entry = dir.readSync())
        names.push(entry.name);
    } finally {
      dir.closeSync();
    }
  } catch {
    return [];
  }
  return names.sort();
}

/** {@link listFilesSync} as a promise. */
export async function listFiles(cwd: string): Promise<string[]> {
  return listFilesSync(cwd);
}

export interface ReportInput extends Pick<DiedReport, 'serviceId' | 'pid' | 'command' | 'cwd' | 'envDir' | 'exit'> {
  /** Overrides `exit.message` (e.g. a readiness timeout). */
  message?: string;
  stdout: TailSnapshot;
  stderr: TailSnapshot;
  files: string[];
  startedAt: number;
  endedAt: number;
  facts: Omit<FailureFacts, 'exit' | 'stderr' | 'stdout'>;
}

/**
 * Builds a report; the category comes from {@link classifyFailure}. The tails
 * hold masked text already (each line was masked once, where it was captured),
 * so nothing here masks again.
 */
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
