import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["{lib,agent,app,components,scripts,prisma}/**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**", "data/**"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
