import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

describe("environment validation", () => {
  it("gives defaults for an empty environment", () => {
    expect(parseEnv({})).toMatchObject({ HOST: "127.0.0.1", PORT: 3000, STRATA_DATA_DIR: "./data", STRATA_LOCAL_AGENT: true });
  });

  it("names every wrong variable on its own line", () => {
    let message = "";
    try {
      parseEnv({ PORT: "eighty", DATABASE_URL: "mysql://x", STRATA_SECRET_KEY: "short", STRATA_ADMIN_EMAIL: "nope" });
    } catch (err) {
      message = (err as Error).message;
    }
    const lines = message.split("\n");
    expect(lines[0]).toBe("Invalid configuration:");
    expect(lines.some((l) => l.includes("PORT: must be a number"))).toBe(true);
    expect(lines.some((l) => l.includes("DATABASE_URL: must be a postgresql:// URL"))).toBe(true);
    expect(lines.some((l) => l.includes("STRATA_SECRET_KEY: must be 64 hex characters"))).toBe(true);
    expect(lines.some((l) => l.includes("STRATA_ADMIN_EMAIL: must be an email address"))).toBe(true);
  });
});
