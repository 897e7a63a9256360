import { describe, expect, it } from "vitest";
import { displayName, formatBytes } from "./format";

describe("display helpers", () => {
  it("formats sizes in binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(BigInt(5) * BigInt(1024 ** 3))).toBe("5.0 GiB");
    expect(formatBytes(300 * 1024 * 1024)).toBe("300 MiB");
  });
  it("escapes control characters and undecodable bytes in names", () => {
    expect(displayName("a\nb\tc")).toBe("a\\x0ab\\x09c");
    expect(displayName("bad\ufffd")).toBe("bad\\uFFFD");
    expect(displayName("ok é.txt")).toBe("ok é.txt");
  });
});
