import { describe, expect, it } from "vitest";
import { consoleProcessEnv } from "./console-env";

describe("consoleProcessEnv", () => {
  it("adds the console's memory settings and keeps the rest of the environment", () => {
    expect(consoleProcessEnv({ PATH: "/bin" })).toEqual({ PATH: "/bin", MALLOC_ARENA_MAX: "2", NODE_OPTIONS: "--max-semi-space-size=4" });
    expect(consoleProcessEnv({ NODE_OPTIONS: "--enable-source-maps" }).NODE_OPTIONS).toBe("--enable-source-maps --max-semi-space-size=4");
  });

  it("leaves settings an operator made alone", () => {
    expect(consoleProcessEnv({ MALLOC_ARENA_MAX: "8", NODE_OPTIONS: "--max-semi-space-size=16" })).toMatchObject({ MALLOC_ARENA_MAX: "8", NODE_OPTIONS: "--max-semi-space-size=16" });
  });
});
