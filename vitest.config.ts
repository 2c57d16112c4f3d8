import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser suite runs in Chromium through vitest.browser.config.ts (npm run test:browser).
    exclude: ['test/browser/**', 'node_modules/**'],
    setupFiles: ['test/support/fail-on-unhandled-rejection.ts'],
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    restoreMocks: true,
    unstubGlobals: true,
  },
});
