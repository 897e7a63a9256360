import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret } from "./secrets";

describe("secrets at rest", () => {
  const key = randomBytes(32);
  it("round-trips and never stores the plain text", () => {
    const sealed = encryptSecret("db-p@ss", key);
    expect(sealed).not.toContain("db-p@ss");
    expect(decryptSecret(sealed, key)).toBe("db-p@ss");
  });
  it("refuses a wrong key or a tampered value", () => {
    const sealed = encryptSecret("db-p@ss", key);
    expect(() => decryptSecret(sealed, randomBytes(32))).toThrow();
    const parts = sealed.split(".");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => decryptSecret(parts.join("."), key)).toThrow();
  });
});
