import { defineConfig } from 'vitest/config';

// Tests import sibling packages' TypeScript sources through the `vmakit-source` export condition,
// so `pnpm test` needs no build for unit tests (the CLI end-to-end tests use the built output).
export default defineConfig({
  resolve: { conditions: ['vmakit-source'] },
  ssr: { resolve: { conditions: ['vmakit-source'] } },
  test: {
    projects: ['packages/*', 'bench', 'test'],
  },
});
