export declare function median(values: number[]): number;
export declare function percentile(values: number[], p: number): number;
export declare function machineLine(): string;
export declare function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void;
export declare function formatNumber(n: number): string;
export declare function verdict(what: string, ratio: number, target: { atLeast?: number; atMost?: number }): boolean;
export declare function timeRounds(fn: () => unknown, options?: { rounds?: number; warmup?: number }): Promise<number[]>;
