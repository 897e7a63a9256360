import { describe, expect, it } from "vitest";
import { decodeText, looksLikeText, splitLines, trimPartialUtf8 } from "./text";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("text detection", () => {
  it("accepts UTF-8 text, including a multi-byte character cut by the byte cap", () => {
    expect(looksLikeText(bytes("héllo\nwörld\n"))).toBe(true);
    const cut = bytes("abc€").subarray(0, 5);
    expect(looksLikeText(cut)).toBe(true);
    expect(trimPartialUtf8(cut)).toEqual(bytes("abc"));
  });
  it("rejects NUL bytes, invalid UTF-8 and many control characters", () => {
    expect(looksLikeText(new Uint8Array([0x41, 0, 0x42]))).toBe(false);
    expect(looksLikeText(new Uint8Array([0x41, 0xff, 0xfe, 0x42]))).toBe(false);
    expect(looksLikeText(new Uint8Array(200).fill(1))).toBe(false);
  });
  it("decodes strictly or with replacement characters", () => {
    expect(decodeText(new Uint8Array([0xff]), true)).toBeNull();
    expect(decodeText(new Uint8Array([0xff]))).toBe("\ufffd");
  });
  it("splits lines without an empty last line after the final newline", () => {
    expect(splitLines("a\r\nb\n")).toEqual(["a", "b"]);
    expect(splitLines("a\n\nb")).toEqual(["a", "", "b"]);
    expect(splitLines("")).toEqual([]);
  });
});
