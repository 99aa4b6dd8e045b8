import type { Options } from 'tsup';
export declare function definePackageConfig(overrides?: Options): Options;
