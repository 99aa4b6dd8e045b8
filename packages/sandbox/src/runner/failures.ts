import type { DependencyError } from '../deps/errors.js';
import { CODES } from '../errors.js';
import type { FailureCategory, Suggestion } from '../process/types.js';

/** A failure before the service process ran: its category, message, suggestions and error output. */
export interface SetupFailure {
  category: FailureCategory;
  message: string;
  suggestions: Suggestion[];
  stderrOutput: string;
}

/** Invalid content: every problem in one failure. */
export function validationFailure(problems: readonly string[]): SetupFailure {
  return {
    category: 'validation',
    message: `Invalid service content: ${problems.join('; ')}`,
    suggestions: problems.map((problem) => ({
      action: 'fix_content',
      description: `Fix the service document: ${problem}`,
      autoFixable: false,
    })),
    stderrOutput: '',
  };
}

const NO_DISTRIBUTION = /No matching distribution found for ([^\s]+)/;
const NPM_404 = /404\s+(?:Not Found\s*-\s*GET\s+\S+\/)?'?(@?[^\s'@]+(?:\/[^\s'@]+)?)'?/;

/** Any error of the sandbox and dependency steps, mapped to a category with suggestions (by its `code`). */
export function setupFailure(error: unknown): SetupFailure {
  const code = (error as { code?: unknown } | null)?.code;
  const dependency = code === CODES.DEPENDENCY_FAILED ? (error as DependencyError) : null;
  const cause = dependency?.cause as NodeJS.ErrnoException | undefined;
  if (cause?.code === 'ENOENT') {
    // The installer program itself (python3, npm) is not on the host: a missing runtime, not a bad dependency.
    return {
      category: 'environment',
      message: `A required program is missing: ${cause.message}`,
      suggestions: [
        {
          action: 'install_runtime',
          description: 'Install the runtime (python3 with venv, node/npm) on the host',
          autoFixable: false,
        },
      ],
      stderrOutput: '',
    };
  }
  if (dependency !== null) {
    const error = dependency;
    const missing = NO_DISTRIBUTION.exec(error.output)?.[1] ?? NPM_404.exec(error.output)?.[1] ?? null;
    const suggestions: Suggestion[] = [];
    if (missing !== null) {
      suggestions.push({
        action: 'fix_dependency',
        description: `Check the name and version of '${missing.replace(/%2f/gi, '/')}' in the dependencies`,
        autoFixable: false,
      });
    }
    suggestions.push({
      action: 'check_dependencies',
      description: `The installer failed: ${error.command}. Read its output in stderrOutput.`,
      autoFixable: false,
    });
    return {
      category: 'dependency',
      message: error.message.replace('[@pactown/sandbox] ', ''),
      suggestions,
      stderrOutput: error.output,
    };
  }
  if (code === CODES.UNSAFE_PATH) {
    return {
      category: 'security',
      message: (error as Error).message,
      suggestions: [
        {
          action: 'fix_paths',
          description: 'Keep every file inside the sandbox: relative paths, no symlinks leading out',
          autoFixable: false,
        },
      ],
      stderrOutput: '',
    };
  }
  const text = error instanceof Error ? error.message : String(error);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return {
      category: 'permission',
      message: `Cannot prepare the sandbox: ${text}`,
      suggestions: [
        {
          action: 'check_permissions',
          description: 'Make the sandboxes folder writable for this process',
          autoFixable: false,
        },
      ],
      stderrOutput: '',
    };
  }
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EMFILE' || code === 'ENFILE') {
    return {
      category: 'environment',
      message: `Cannot prepare the sandbox: ${text}`,
      suggestions: [
        { action: 'free_resources', description: 'Free disk space or file handles on the host', autoFixable: false },
      ],
      stderrOutput: '',
    };
  }
  if (code === 'ENOENT' && /spawn/.test(text)) {
    return {
      category: 'environment',
      message: `A required program is missing: ${text}`,
      suggestions: [
        {
          action: 'install_runtime',
          description: 'Install the runtime (python3 with venv, node/npm) on the host',
          autoFixable: false,
        },
      ],
      stderrOutput: '',
    };
  }
  return {
    category: 'unknown',
    message: `Sandbox setup failed: ${text}`,
    suggestions: [{ action: 'report_bug', description: 'An unexpected error; see the logs', autoFixable: false }],
    stderrOutput: '',
  };
}
