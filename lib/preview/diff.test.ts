import { describe, expect, it } from "vitest";
import { diffStats, sideBySideRows, unifiedPatch, unifiedRows } from "./diff";

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
