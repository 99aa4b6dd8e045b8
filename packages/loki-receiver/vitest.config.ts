import { definePackageTestConfig } from '@pactown/vitest-config';

export default definePackageTestConfig();
