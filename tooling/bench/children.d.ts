import type { ChildProcess } from 'node:child_process';
export declare function track<C extends ChildProcess>(child: C, options?: { group?: boolean }): C;
export declare function liveChildren(): number;
export declare function stopChild(child: ChildProcess): Promise<void>;
export declare function reportOf(child: ChildProcess, what: string): Promise<any>;
export declare function writeReport(report: unknown): Promise<void>;
