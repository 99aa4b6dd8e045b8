export { liveChildren, reportOf, stopChild, track, writeReport } from './children.js';
export interface MachineState {
  quiet: boolean;
  /** 1-minute load average net of the benchmark's own part. */
  load: number;
  /** The 1-minute load average as the kernel reports it. */
  rawLoad: number;
  /** The benchmark's own part of the load average (its process tree's CPU, aged like the load average). */
  ownLoad: number;
  /** Share of all CPU (0..1) other processes used during the pause. */
  busyShare: number;
  /** Share of all CPU (0..1) other processes used since the previous check. */
  runShare: number;
  calibrationMs: number;
  referenceMs: number;
  slowdown: number;
  reasons: string[];
}
export interface Target {
  atLeast?: number;
  atMost?: number;
}
export declare const MAX_LOAD: number;
export declare const MAX_BUSY_SHARE: number;
export declare const MAX_SLOWDOWN: number;
export declare const MAX_RUN_SHARE: number;
export declare const MARKDOWN_HEADER: string;
export declare function machineName(): string;
export declare function commandLine(): string;
export declare function markdownSummary(): string[];
export declare function startLoad(): number;
export declare function lastVerdictState(): MachineState | undefined;
export declare function figure(what: string, shown: string, raw?: string): void;
export declare function ownLoad(): number;
export declare function treeTicks(root?: number): number;
export declare function probe(samples?: number): number[];
export declare function spreadOf(samples: number[]): { median: number; spread: number };
export declare function tolerance(): number;
export declare function calibrationReference(): { ms: number; spread: number; source: 'start' | 'run' | 'given' };
export declare class OwnLoad {
  constructor(root?: number, seed?: number, seedAt?: number);
  value: number;
  update(): { value: number };
}
export declare function median(values: number[]): number;
export declare function percentile(values: number[], p: number): number;
export declare function machineLine(): string;
export declare function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void;
export declare function formatNumber(n: number): string;
export declare function verdict(what: string, ratio: number, target: Target, raw?: string): boolean;
export declare function verdictValue(what: string, value: number, target: Target, unit?: string, raw?: string): boolean;
export declare function verdictSummary(): { pass: number; fail: number; unreliable: number };
export declare function summary(values: number[]): { median: number; min: number; max: number; n: number };
export declare function range(values: number[], digits?: number): string;
export declare function interleave<T>(
  names: string[],
  rounds: number,
  run: (name: string, round: number) => Promise<T>,
): Promise<Record<string, T[]>>;
export declare function printSettings(settings: Record<string, string | Record<string, unknown>>): void;
export declare function timeRounds(
  fn: () => unknown,
  options?: { rounds?: number; warmup?: number },
): Promise<number[]>;
export declare function calibrationLoop(): number;
export declare function calibrate(reps?: number): number;
export declare function machineState(pauseMs?: number): MachineState;
export declare function describeState(s: MachineState): string;
export declare function waitForQuiet(seconds?: number): Promise<MachineState>;
export declare function judge(value: number, target: Target, what?: string, raw?: string, unit?: string): string;
