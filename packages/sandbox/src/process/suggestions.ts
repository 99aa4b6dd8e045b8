/**
 * Suggestions per failure category, naming the specifics the output gave
 * (the module, the port, the file and line, the variable).
 */
import type { Suggestion } from './types.js';

// Python import names whose package is named differently on PyPI.
const PYPI_NAMES: Readonly<Record<string, string>> = {
  yaml: 'PyYAML',
  cv2: 'opencv-python',
  PIL: 'Pillow',
  sklearn: 'scikit-learn',
  bs4: 'beautifulsoup4',
  dotenv: 'python-dotenv',
  jwt: 'PyJWT',
  dateutil: 'python-dateutil',
  multipart: 'python-multipart',
  magic: 'python-magic',
  Crypto: 'pycryptodome',
  serial: 'pyserial',
  usb: 'pyusb',
  attr: 'attrs',
  google: 'google-api-python-client',
  psycopg2: 'psycopg2-binary',
  MySQLdb: 'mysqlclient',
  docx: 'python-docx',
  fitz: 'PyMuPDF',
  telegram: 'python-telegram-bot',
};

/** The package to install for a missing Python module (`yaml` -> `PyYAML`). */
export function pythonPackageFor(module: string): string {
  const top = module.split('.')[0]!;
  return PYPI_NAMES[top] ?? top;
}

/** The npm package a specifier belongs to (`lodash/fp` -> `lodash`, `@a/b/c` -> `@a/b`). */
export function npmPackageFor(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

export function addDependency(module: string, language: 'python' | 'node'): Suggestion[] {
  const pkg = language === 'python' ? pythonPackageFor(module) : npmPackageFor(module);
  const named = pkg === module ? `'${pkg}'` : `'${pkg}' (for module '${module}')`;
  return [
    {
      action: 'add_dependency',
      description: `Add ${named} to the dependencies`,
      command: language === 'python' ? `pip install ${pkg}` : `npm install ${pkg}`,
      autoFixable: true,
    },
  ];
}

export function missingFile(specifier: string): Suggestion[] {
  return [
    {
      action: 'add_file',
      description: `The file '${specifier}' is imported but missing: add it to the service's files or fix the import path`,
      autoFixable: false,
    },
  ];
}

export function commandNotFound(command: string | null): Suggestion[] {
  const named = command === null ? 'The command' : `'${command}'`;
  return [
    {
      action: 'add_dependency',
      description: `${named} was not found: add the package that provides it to the dependencies`,
      autoFixable: false,
    },
    { action: 'check_run_command', description: 'Check the run command for typos', autoFixable: false },
  ];
}

export function portConflict(port: number | null): Suggestion[] {
  if (port === null) {
    return [{ action: 'use_different_port', description: 'The port is in use: pick another port', autoFixable: true }];
  }
  return [
    {
      action: 'kill_port_process',
      description: `Port ${port} is in use: \`fuser -k ${port}/tcp\` or pick another port`,
      command: `fuser -k ${port}/tcp`,
      autoFixable: false,
    },
    { action: 'use_different_port', description: `Run the service on a port other than ${port}`, autoFixable: true },
  ];
}

export function fixSyntax(file: string | null, line: number | null, detail: string | null): Suggestion[] {
  const where = file === null ? 'the code' : line === null ? file : `${file} line ${line}`;
  return [
    {
      action: 'fix_syntax',
      description: `Fix the syntax error in ${where}${detail ? `: ${detail}` : ''}`,
      autoFixable: false,
    },
  ];
}

export function permission(port: number | null, path: string | null): Suggestion[] {
  if (port !== null && port < 1024) {
    return [
      {
        action: 'use_different_port',
        description: `Port ${port} needs privileges: use a port of 1024 or above`,
        autoFixable: true,
      },
    ];
  }
  return [
    {
      action: 'check_permissions',
      description:
        path === null
          ? 'The service was refused access: check file modes and that it writes only inside its folder'
          : `Access to '${path}' was refused: check its mode, or write inside the service's folder instead`,
      ...(path === null ? {} : { command: `ls -ld ${path}` }),
      autoFixable: false,
    },
  ];
}

export function missingEnv(name: string | null): Suggestion[] {
  return [
    {
      action: 'set_env',
      description:
        name === null
          ? 'Set the environment variables the service requires'
          : `Set ${name} in the service's environment`,
      autoFixable: false,
    },
  ];
}

/** `1 GiB`, `64 MiB`, `512 KiB`, `100 bytes`. */
export function bytesText(n: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (n >= size) {
      const v = n / size;
      return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`;
    }
  }
  return `${n} bytes`;
}

export type LimitName = 'processes' | 'cpuSeconds' | 'fileSizeBytes' | 'openFiles' | 'memoryBytes' | 'totalMemoryBytes';

const LIMIT_TEXT: Record<LimitName, (value: number | null) => string> = {
  processes: (v) => `its limit of ${v ?? 'N'} processes and threads`,
  cpuSeconds: (v) => `its limit of ${v ?? 'N'} CPU seconds per process`,
  fileSizeBytes: (v) => `its largest file size of ${v === null ? 'N bytes' : bytesText(v)}`,
  openFiles: (v) => `its limit of ${v ?? 'N'} open files per process`,
  memoryBytes: (v) => `its address space limit of ${v === null ? 'N bytes' : bytesText(v)} per process`,
  totalMemoryBytes: (v) => `its memory limit of ${v === null ? 'N bytes' : bytesText(v)} for all its processes`,
};

/** A service stopped by one of its resource limits: names the limit and the option that raises it. */
export function resourceLimit(limit: LimitName, value: number | null, what: string): Suggestion[] {
  return [
    {
      action: 'raise_limit',
      description: `${what}: the service reached ${LIMIT_TEXT[limit](value)} (limits.${limit}). Fix the code, or raise limits.${limit}`,
      autoFixable: false,
    },
  ];
}

/** Out of memory at a known limit: names it and the option that raises it. */
export function outOfMemoryAt(limit: 'memoryBytes' | 'totalMemoryBytes', value: number | null): Suggestion[] {
  return [
    {
      action: 'reduce_memory',
      description:
        limit === 'totalMemoryBytes'
          ? `The kernel ended a process of the service at ${LIMIT_TEXT.totalMemoryBytes(value)} (limits.totalMemoryBytes): reduce its memory use, or raise limits.totalMemoryBytes`
          : `The service ran out of memory at ${LIMIT_TEXT.memoryBytes(value)} (limits.memoryBytes): reduce its memory use, or raise limits.memoryBytes`,
      autoFixable: false,
    },
  ];
}

export function outOfMemory(viaSignal: boolean): Suggestion[] {
  return [
    {
      action: 'reduce_memory',
      description: viaSignal
        ? 'The process was killed for using too much memory: reduce its memory use or raise the limit'
        : 'The process ran out of memory: reduce its memory use or raise the limit (e.g. --max-old-space-size for Node)',
      autoFixable: false,
    },
  ];
}

export function startupTimeout(timeoutMs: number | null, port: number | null): Suggestion[] {
  const seconds = timeoutMs === null ? null : Math.round(timeoutMs / 100) / 10;
  return [
    {
      action: 'increase_timeout',
      description:
        seconds === null
          ? 'Allow the service more time to start'
          : `The service was not ready within ${seconds}s: allow it more time`,
      autoFixable: true,
    },
    {
      action: 'check_port',
      description:
        port === null
          ? 'Check that the service listens on the port it is given ($MARKPACT_PORT)'
          : `Check that the service listens on port ${port} ($MARKPACT_PORT) on 127.0.0.1 or 0.0.0.0`,
      autoFixable: false,
    },
  ];
}

export function killedBy(signal: string, forced: boolean): Suggestion[] {
  return [
    {
      action: 'check_external_kill',
      description: forced
        ? `The process was killed by ${signal}, which it cannot refuse: check for the out-of-memory killer (\`dmesg\`) or another process sending it`
        : `The process was ended by ${signal}, sent by something other than this runner: check who sends it`,
      autoFixable: false,
    },
  ];
}

export function checkCode(lastError: string | null, detail?: string): Suggestion[] {
  return [
    {
      action: 'check_code',
      description:
        lastError === null
          ? (detail ?? 'The process failed: read the stderr output for the cause')
          : `The process failed with: ${lastError}`,
      autoFixable: false,
    },
  ];
}
