import { describe, expect, it } from "vitest";
import { contentTypeFor, extensionOf, previewKindFor } from "./content-type";
import { decodeText, looksLikeText, splitLines, trimPartialUtf8 } from "./text";
import { hexDump } from "./hex";
import { diffStats, sideBySideRows, unifiedPatch, unifiedRows } from "./diff";
import { highlightLines, languageFor } from "./highlight";
import { displayName, formatBytes } from "./format";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("content types by extension", () => {
  it("knows common types case-insensitively and falls back to octet-stream", () => {
    expect(contentTypeFor("etc/site.CONF")).toBe("text/plain");
    expect(contentTypeFor("a/photo.JPG")).toBe("image/jpeg");
    expect(contentTypeFor("report.pdf")).toBe("application/pdf");
    expect(contentTypeFor("blob.bin")).toBe("application/octet-stream");
    expect(contentTypeFor("README")).toBe("application/octet-stream");
  });
  it("treats dot-files as having no extension", () => {
    expect(extensionOf(".bashrc")).toBe("");
    expect(extensionOf("dir.d/file")).toBe("");
    expect(extensionOf("a.tar.gz")).toBe("gz");
  });
  it("chooses the preview kind", () => {
    expect(previewKindFor("x.json")).toBe("text");
    expect(previewKindFor("x.svg")).toBe("image");
    expect(previewKindFor("x.pdf")).toBe("pdf");
    expect(previewKindFor("x.gz")).toBe("binary");
  });
});

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

describe("diffs", () => {
  const a = "one\ntwo\nthree\nfour\n";
  const b = "one\n2\nthree\nfour\nfive\n";
  it("writes a unified patch", () => {
    const patch = unifiedPatch("old/x.txt", "new/x.txt", a, b);
    expect(patch).toContain("--- old/x.txt");
    expect(patch).toContain("+++ new/x.txt");
    expect(patch).toContain("-two\n+2\n");
    expect(patch).toContain("+five");
  });
  it("numbers unified rows on both sides", () => {
    const rows = unifiedRows(a, b);
    expect(rows[0]).toEqual({ kind: "hunk", text: "@@ -1,4 +1,5 @@" });
    expect(rows).toContainEqual({ kind: "del", text: "two", oldNo: 2 });
    expect(rows).toContainEqual({ kind: "add", text: "2", newNo: 2 });
    expect(rows).toContainEqual({ kind: "add", text: "five", newNo: 5 });
    expect(rows).toContainEqual({ kind: "same", text: "four", oldNo: 4, newNo: 4 });
  });
  it("pairs replaced lines side by side", () => {
    const rows = sideBySideRows(a, b);
    expect(rows.map((r) => r.kind)).toEqual(["same", "change", "same", "same", "add"]);
    expect(rows[1]).toEqual({ kind: "change", left: { no: 2, text: "two" }, right: { no: 2, text: "2" } });
    expect(rows[4]).toEqual({ kind: "add", right: { no: 5, text: "five" } });
  });
  it("counts added and removed lines", () => {
    expect(diffStats(a, b)).toEqual({ added: 2, removed: 1 });
    expect(diffStats(a, a)).toEqual({ added: 0, removed: 0 });
  });
});

describe("syntax colouring", () => {
  it("finds the language from the name", () => {
    expect(languageFor("src/app.ts")).toBe("c");
    expect(languageFor("etc/.bashrc")).toBe("hash");
    expect(languageFor("notes.txt")).toBeNull();
  });
  it("splits a line into keywords, strings, numbers and comments", () => {
    const [line] = highlightLines(['const x = "a<b>" + 42; // done'], "c");
    expect(line).toEqual([
      { kind: "keyword", text: "const" },
      { kind: "plain", text: " x = " },
      { kind: "string", text: '"a<b>"' },
      { kind: "plain", text: " + " },
      { kind: "number", text: "42" },
      { kind: "plain", text: "; " },
      { kind: "comment", text: "// done" },
    ]);
  });
  it("carries a block comment across lines and keeps the text intact", () => {
    const src = ["a /* start", "middle", "end */ b"];
    const out = highlightLines(src, "c");
    expect(out[1]).toEqual([{ kind: "comment", text: "middle" }]);
    expect(out[2][0]).toEqual({ kind: "comment", text: "end */" });
    expect(out.map((l) => l.map((t) => t.text).join(""))).toEqual(src);
  });
  it("leaves plain text as one token", () => {
    expect(highlightLines(["if x"], null)).toEqual([[{ kind: "plain", text: "if x" }]]);
  });
});

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
