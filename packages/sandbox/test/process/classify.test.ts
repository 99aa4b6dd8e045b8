import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyFailure, describeExit } from '../../src/index.js';

const exit1 = describeExit(1, null);

describe('classifyFailure', () => {
  it('a failed run never gets none (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -64, max: 255 }), fc.constant(null)),
        fc.oneof(fc.constant(null), fc.constantFrom('SIGTERM', 'SIGKILL', 'SIGSEGV', 'SIGHUP', 'SIGUSR1')),
        fc.string(),
        fc.string(),
        (code, signal, stderr, stdout) => {
          const result = classifyFailure({ exit: describeExit(code, signal), stderr, stdout });
          expect(result.category).not.toBe('none');
          expect(result.suggestions.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('timeout wins over a stop by us; a stop by us is none', () => {
    const exit = describeExit(null, 'SIGTERM');
    expect(classifyFailure({ exit, stoppedByUs: true, timedOut: true, timeoutMs: 10_000 }).category).toBe(
      'startup_timeout',
    );
    expect(classifyFailure({ exit, stoppedByUs: true }).category).toBe('none');
  });

  it('a SIGKILL counted by the cgroup as an OOM kill is out_of_memory; otherwise killed', () => {
    const exit = describeExit(null, 'SIGKILL');
    expect(classifyFailure({ exit, oomKilled: true }).category).toBe('out_of_memory');
    expect(classifyFailure({ exit }).category).toBe('killed');
  });

  it('resource limits: each names the limit and the option that raises it', () => {
    const limits = {
      processes: 64,
      cpuSeconds: 2,
      fileSizeBytes: 1024,
      openFiles: 32,
      totalMemoryBytes: 64 * 1024 ** 2,
    };
    const cases: Array<[Parameters<typeof classifyFailure>[0], string, RegExp]> = [
      [
        { exit: describeExit(0, null), pidsLimitHit: true, limits },
        'resource_limit',
        /64 processes.*limits\.processes/,
      ],
      [{ exit: describeExit(null, 'SIGXCPU'), limits }, 'resource_limit', /2 CPU seconds.*limits\.cpuSeconds/],
      [{ exit: describeExit(null, 'SIGXFSZ'), limits }, 'resource_limit', /1 KiB.*limits\.fileSizeBytes/],
      [{ exit: exit1, stderr: 'sh: 1: Cannot fork', limits }, 'resource_limit', /limits\.processes/],
      [
        { exit: exit1, stderr: 'BlockingIOError: [Errno 11] Resource temporarily unavailable' },
        'resource_limit',
        /limits\.processes/,
      ],
      [
        { exit: exit1, stderr: "OSError: [Errno 24] Too many open files: 'x'", limits },
        'resource_limit',
        /32 open files.*limits\.openFiles/,
      ],
      [
        { exit: describeExit(null, 'SIGKILL'), cgroupOomKilled: true, limits },
        'out_of_memory',
        /64 MiB.*limits\.totalMemoryBytes/,
      ],
      [
        { exit: exit1, stderr: 'MemoryError', limits: { memoryBytes: 1024 ** 3 } },
        'out_of_memory',
        /1 GiB.*limits\.memoryBytes/,
      ],
    ];
    for (const [facts, category, text] of cases) {
      const result = classifyFailure(facts);
      expect(result.category).toBe(category);
      expect(result.suggestions[0]!.description).toMatch(text);
    }
    // A stop by us stays none whatever the cgroup counted.
    expect(
      classifyFailure({ exit: describeExit(null, 'SIGTERM'), stoppedByUs: true, pidsLimitHit: true }).category,
    ).toBe('none');
  });

  it('crash signals are process_crash, other signals killed', () => {
    expect(classifyFailure({ exit: describeExit(null, 'SIGBUS') }).category).toBe('process_crash');
    expect(classifyFailure({ exit: describeExit(null, 'SIGHUP') }).category).toBe('killed');
  });

  it.each([
    [
      "uvicorn: [Errno 98] error while attempting to bind on address ('0.0.0.0', 8001): address already in use",
      'port_conflict',
      'fuser -k 8001/tcp',
    ],
    ['Error: listen EADDRINUSE: address already in use :::3000', 'port_conflict', 'fuser -k 3000/tcp'],
    ["ModuleNotFoundError: No module named 'yaml'", 'dependency', 'pip install PyYAML'],
    [
      "Error [ERR_MODULE_NOT_FOUND]: Cannot find package '@scope/pkg' imported from /s/a.mjs",
      'dependency',
      'npm install @scope/pkg',
    ],
    ['ERROR: No matching distribution found for fastapi==99', 'dependency', undefined],
    ['  File "main.py", line 7\n    def f(:\n          ^\nSyntaxError: invalid syntax', 'syntax', undefined],
    ["PermissionError: [Errno 13] Permission denied: '/etc/app.conf'", 'permission', 'ls -ld /etc/app.conf'],
    ['Error: listen EACCES: permission denied 0.0.0.0:80', 'permission', undefined],
    ["KeyError: 'SECRET_KEY'", 'environment', undefined],
    [
      '<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
      'out_of_memory',
      undefined,
    ],
  ])('%s -> %s', (stderr, category, command) => {
    const result = classifyFailure({ exit: exit1, stderr });
    expect(result.category).toBe(category);
    if (command !== undefined) expect(result.suggestions.map((s) => s.command)).toContain(command);
  });

  it('a privileged port is named in the permission suggestion', () => {
    const result = classifyFailure({ exit: exit1, stderr: 'Error: listen EACCES: permission denied 0.0.0.0:80' });
    expect(result.suggestions[0]!.description).toBe('Port 80 needs privileges: use a port of 1024 or above');
  });

  it('exit 126 is permission, 127 names the missing command', () => {
    expect(classifyFailure({ exit: describeExit(126, null) }).category).toBe('permission');
    const missing = classifyFailure({ exit: describeExit(127, null), stderr: 'sh: 1: uvicorn: not found' });
    expect(missing.category).toBe('dependency');
    expect(missing.suggestions[0]!.description).toContain("'uvicorn'");
  });
});
