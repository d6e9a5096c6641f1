import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources (the "source" export condition), so `pnpm test`
// checks what is in the tree; the build (tsc) type-checks and produces what npm users get.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test-vectors/**/*.test.ts', 'benchmarks/test/**/*.test.ts', 'docs/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
