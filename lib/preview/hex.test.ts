import { describe, expect, it } from "vitest";
import { hexDump } from "./hex";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("hex head", () => {
  it("dumps 16 bytes a line with offsets and printable ASCII", () => {
    const lines = hexDump(bytes("0123456789abcdefXY\n"));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ offset: "00000000", hex: "30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66", ascii: "0123456789abcdef" });
    expect(lines[1]).toEqual({ offset: "00000010", hex: "58 59 0a", ascii: "XY." });
  });
  it("stops at the limit", () => {
    expect(hexDump(new Uint8Array(2000), 512)).toHaveLength(32);
  });
});
