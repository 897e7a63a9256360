// Table tests of rdiff-backup's selection semantics, on an in-memory tree.
import { describe, expect, it } from "vitest";
import { memorySource, type MemoryNode } from "@/agent/sources/memory";
import { buildSelection, type SelectionRule } from "./selection";
import { selectedWalk } from "./walk";

const f = (data = "x"): MemoryNode => ({ type: "file", data });
const tree = memorySource(
  {
    type: "dir",
    children: {
      "top.py": f(),
      "README.TXT": f(),
      "rdiff-backup-data": { type: "dir", children: { x: f() } },
      a: { type: "dir", children: { b: { type: "dir", children: { "f.py": f(), "g.txt": f() } }, "g.txt": f(), "rdiff-backup-data": f() } },
      c: { type: "dir", children: { "h.py": f(), "i.c": f() } },
      empty: { type: "dir", children: {} },
      pipe: { type: "fifo" },
      sock: { type: "socket" },
    },
  },
  "src",
);

async function selected(rules: SelectionRule[]): Promise<string[]> {
  const sel = buildSelection(tree.root, rules, 1);
  const out: string[] = [];
  for await (const it of selectedWalk(tree, sel, () => undefined)) out.push(it.path.toString() || ".");
  return out;
}

const ALL = [".", "README.TXT", "a", "a/b", "a/b/f.py", "a/b/g.txt", "a/g.txt", "a/rdiff-backup-data", "c", "c/h.py", "c/i.c", "empty", "pipe", "sock", "top.py"];

describe("selection (rdiff-backup glob semantics)", () => {
  it.each<[string, SelectionRule[], string[]]>([
    ["everything except a top-level rdiff-backup-data by default", [], ALL],
    ["a plain path includes its ancestors and its subtree", [{ kind: "include", glob: "src/a/b" }, { kind: "exclude", glob: "**" }], [".", "a", "a/b", "a/b/f.py", "a/b/g.txt"]],
    ["** crosses directories, and parents of matches are kept", [{ kind: "include", glob: "**.py" }, { kind: "exclude", glob: "**" }], [".", "a", "a/b", "a/b/f.py", "c", "c/h.py", "top.py"]],
    ["* stays within one component", [{ kind: "include", glob: "src/*/*.py" }, { kind: "exclude", glob: "**" }], [".", "c", "c/h.py"]],
    ["? matches one character", [{ kind: "exclude", glob: "src/?" }], [".", "README.TXT", "empty", "pipe", "sock", "top.py"]],
    ["[...] classes and [!...] negation", [{ kind: "exclude", glob: "src/[ac]" }, { kind: "exclude", glob: "src/[!e]*.*" }], [".", "empty", "pipe", "sock"]],
    ["first match wins", [{ kind: "exclude", glob: "src/a/b/g.txt" }, { kind: "include", glob: "src/a" }, { kind: "exclude", glob: "**" }], [".", "a", "a/b", "a/b/f.py", "a/g.txt", "a/rdiff-backup-data"]],
    ["ignorecase: folds ASCII case", [{ kind: "exclude", glob: "ignorecase:src/readme.*" }], ALL.filter((p) => p !== "README.TXT")],
    ["without ignorecase: case matters", [{ kind: "exclude", glob: "src/readme.*" }], ALL],
    ["an excluded directory takes its subtree", [{ kind: "exclude", glob: "src/a" }], ALL.filter((p) => !p.startsWith("a"))],
    ["--exclude-fifos and --exclude-sockets", [{ kind: "exclude-fifos" }, { kind: "exclude-sockets" }], ALL.filter((p) => p !== "pipe" && p !== "sock")],
    ["an empty scanned directory is left out", [{ kind: "include", glob: "**/e*" }, { kind: "exclude", glob: "**" }], [".", "empty"]],
  ])("%s", async (_name, rules, expected) => {
    expect(await selected(rules)).toEqual(expected);
  });

  it("refuses a pattern that cannot match under the source", () => {
    expect(() => buildSelection(tree.root, [{ kind: "exclude", glob: "/elsewhere/*" }], 1)).toThrow(/cannot match anything under the source "src"/);
  });

  it("refuses a selection that ends with an include", () => {
    expect(() => buildSelection(tree.root, [{ kind: "include", glob: "**.py" }], 1)).toThrow(/end with an exclude/);
  });

  it("excludes other filesystems by device id", () => {
    const sel = buildSelection(tree.root, [{ kind: "exclude-other-filesystems" }], 2);
    expect(sel.select(Buffer.from("a"), { dev: 1 } as never)).toBe(0);
    const same = buildSelection(tree.root, [{ kind: "exclude-other-filesystems" }], 1);
    expect(same.select(Buffer.from("a"), { dev: 1 } as never)).toBe(1);
  });
});
