import { describe, expect, it } from "vitest";
import { highlightLines, languageFor } from "./highlight";

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
