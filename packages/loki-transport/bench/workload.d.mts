export declare function line(i: number): [string, string, Record<string, unknown>, string];
export declare const SEQ: RegExp;
