import { constants } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeExit } from '../../src/index.js';
import { signalInfo } from '../../src/process/exit.js';

describe('describeExit', () => {
  it("gives the seed's message for a signal and for an exit code", () => {
    expect(describeExit(null, 'SIGTERM')).toEqual({
      code: -15,
      exitCode: null,
      signal: 'SIGTERM',
      signalNumber: 15,
      description: 'Termination',
      forced: false,
      viaShell: false,
      message: 'Process killed by SIGTERM (exit code: -15)',
    });
    expect(describeExit(1, null)).toMatchObject({
      code: 1,
      exitCode: 1,
      signal: null,
      message: 'Process exited with code: 1',
    });
    expect(describeExit(0, null).description).toBe('Exited normally');
  });

  it('marks SIGKILL as forced termination', () => {
    expect(describeExit(null, 'SIGKILL')).toMatchObject({ code: -9, description: 'Forced termination', forced: true });
  });

  it('names every signal the OS knows, by name and by negative code', () => {
    for (const [name, number] of Object.entries(constants.signals)) {
      const byName = describeExit(null, name);
      expect(byName.signalNumber).toBe(number);
      expect(byName.description.length).toBeGreaterThan(0);
      const byCode = describeExit(-number, null);
      expect(byCode.signalNumber).toBe(number);
      expect(byCode.message).toBe(`Process killed by ${byCode.signal} (exit code: -${number})`);
      expect(signalInfo(byCode.signal!)?.number).toBe(number);
    }
  });

  it('reads 128+N as signal N only for a process that ran under a shell', () => {
    expect(describeExit(139, null, { viaShell: true })).toMatchObject({
      code: -11,
      exitCode: 139,
      signal: 'SIGSEGV',
      viaShell: true,
      message: 'Process killed by SIGSEGV (exit code: -11)',
    });
    expect(describeExit(139, null)).toMatchObject({ code: 139, signal: null, viaShell: false });
    for (const number of new Set(Object.values(constants.signals))) {
      expect(describeExit(128 + number, null, { viaShell: true }).signalNumber).toBe(number);
    }
  });

  it('never throws, whatever the input (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.constant(null), fc.double()),
        fc.oneof(fc.constant(null), fc.string(), fc.constantFrom('SIGFOO', 'sigterm', '')),
        fc.boolean(),
        (code, signal, viaShell) => {
          const d = describeExit(code, signal, { viaShell });
          expect(typeof d.message).toBe('string');
          expect(d.message.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('keeps an unknown signal name instead of inventing a number', () => {
    expect(describeExit(null, 'SIGFOO')).toMatchObject({ signal: 'SIGFOO', signalNumber: null, code: null });
  });
});
