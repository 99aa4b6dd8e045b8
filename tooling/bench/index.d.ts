export interface MachineState {
  quiet: boolean;
  load: number;
  busyShare: number;
  calibrationMs: number;
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
export declare function judge(value: number, target: Target): string;
