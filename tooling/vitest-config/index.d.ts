import type { UserConfig } from 'vitest/config';
export declare function definePackageTestConfig(overrides?: UserConfig): UserConfig;
