import { describe, expect, it } from "vitest";
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from "./password";

describe("password hashing", () => {
  it("verifies the right password and rejects others, with a fresh salt each time", async () => {
    const h1 = await hashPassword("Correct-horse-42");
    const h2 = await hashPassword("Correct-horse-42");
    expect(h1).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(h1).not.toBe(h2);
    expect(await verifyPassword("Correct-horse-42", h1)).toBe(true);
    expect(await verifyPassword("correct-horse-42", h1)).toBe(false);
    expect(await verifyPassword("x", "not-a-hash")).toBe(false);
  });
});

describe("password rule", () => {
  it.each([
    ["short1!", /at least 12/],
    ["abcdefghijklmnop", /two of/],
    ["123456789012345", /two of/],
    ["alice-is-great-2024", /email/],
  ])("rejects %s", (pw, why) => {
    expect(passwordProblem(pw, "alice@example.org")).toMatch(why);
  });

  it("accepts a long mixed password and every generated one", () => {
    expect(passwordProblem("Correct-horse-42", "alice@example.org")).toBeNull();
    for (let i = 0; i < 50; i++) expect(passwordProblem(generatePassword(), "admin@localhost")).toBeNull();
  });
});
