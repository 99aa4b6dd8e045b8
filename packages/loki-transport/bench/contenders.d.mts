export type Kind = 'ours' | 'pino-loki' | 'winston-loki' | 'devnull' | 'parse-only';
export type Variant = 'defaults' | 'equal';
export declare const BATCH_SECONDS: Record<Variant, Record<Kind, number>>;
export declare function settings(kind: Kind, variant: Variant): Record<string, unknown>;
export declare function describe(kind: Kind, variant: Variant): string;
