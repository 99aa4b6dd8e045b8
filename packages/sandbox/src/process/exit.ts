/**
 * Turns `(exitCode, signal)` into facts and the seed's sentence. Every signal
 * the OS knows is named (from `os.constants.signals`, described by
 * `human-signals`); an unknown code or name never throws.
 */
import { constants } from 'node:os';
import { signalsByName } from 'human-signals';
import type { ExitDescription } from './types.js';

interface SignalInfo {
  name: string;
  number: number;
  description: string;
  forced: boolean;
}

let byNumber: Map<number, SignalInfo> | null = null;
let byName: Map<string, SignalInfo> | null = null;

function tables(): [Map<number, SignalInfo>, Map<string, SignalInfo>] {
  if (byNumber !== null && byName !== null) return [byNumber, byName];
  byNumber = new Map();
  byName = new Map();
  const described = signalsByName as Record<string, { description: string; forced: boolean } | undefined>;
  for (const [name, number] of Object.entries(constants.signals)) {
    const info = described[name];
    const entry: SignalInfo = {
      name,
      number,
      description: info?.description ?? name,
      forced: info?.forced ?? name === 'SIGKILL',
    };
    byName.set(name, entry);
    // Aliases (SIGIOT = SIGABRT, SIGPOLL = SIGIO) share a number: keep the first, canonical name.
    if (!byNumber.has(number)) byNumber.set(number, entry);
  }
  const min = (constants.signals as Record<string, number>).SIGRTMIN;
  if (min === undefined && process.platform === 'linux') {
    // Real-time signals are not in os.constants on Linux; name them as the kernel counts them.
    for (let n = 34; n <= 64; n++) {
      if (byNumber.has(n)) continue;
      const entry = {
        name: `SIGRT${n - 34 === 0 ? 'MIN' : `MIN+${n - 34}`}`,
        number: n,
        description: 'Real-time signal',
        forced: false,
      };
      byNumber.set(n, entry);
      byName.set(entry.name, entry);
    }
  }
  return [byNumber, byName];
}

/** Looks a signal up by name (`'SIGTERM'`) or number (`15`); `undefined` when the OS has no such signal. */
export function signalInfo(signal: string | number): SignalInfo | undefined {
  const [numbers, names] = tables();
  return typeof signal === 'number' ? numbers.get(signal) : names.get(signal.toUpperCase());
}

export interface DescribeExitOptions {
  /**
   * The process ran under a shell that stayed its parent, so a status of
   * `128+N` means the command was killed by signal N.
   * @default false
   */
  viaShell?: boolean;
}

function fromSignal(name: string, exitCode: number | null, viaShell: boolean): ExitDescription {
  const info = signalInfo(name);
  const number = info?.number ?? null;
  const code = number === null ? null : -number;
  return {
    code,
    exitCode,
    signal: info?.name ?? name,
    signalNumber: number,
    description: info?.description ?? 'Unknown signal',
    forced: info?.forced ?? false,
    viaShell,
    message: `Process killed by ${info?.name ?? name} (exit code: ${code ?? 'unknown'})`,
  };
}

/**
 * Describes how a process ended. `code` is the exit status (or `null`),
 * `signal` the signal name (or `null`), as Node's `'exit'` event gives them;
 * a negative `code` is read as the seed's `-N` for signal N.
 */
export function describeExit(
  code: number | null | undefined,
  signal: string | null | undefined,
  options: DescribeExitOptions = {},
): ExitDescription {
  if (typeof signal === 'string' && signal.length > 0) return fromSignal(signal, null, false);
  if (typeof code !== 'number' || !Number.isFinite(code)) {
    return {
      code: null,
      exitCode: null,
      signal: null,
      signalNumber: null,
      description: 'Unknown exit status',
      forced: false,
      viaShell: false,
      message: 'Process ended with an unknown exit status',
    };
  }
  if (code < 0) {
    const info = signalInfo(-code);
    if (info !== undefined) return fromSignal(info.name, null, false);
  }
  if (options.viaShell === true && code > 128 && code < 256) {
    const info = signalInfo(code - 128);
    if (info !== undefined) return fromSignal(info.name, code, true);
  }
  return {
    code,
    exitCode: code,
    signal: null,
    signalNumber: null,
    description: code === 0 ? 'Exited normally' : describeCode(code),
    forced: false,
    viaShell: false,
    message: `Process exited with code: ${code}`,
  };
}

function describeCode(code: number): string {
  if (code === 126) return 'Command found but not executable';
  if (code === 127) return 'Command not found';
  return 'Exited with an error';
}
