import { definePackageTestConfig } from '@pactown/vitest-config';

export default definePackageTestConfig({ test: { globalSetup: ['test/global-setup.ts'] } });
