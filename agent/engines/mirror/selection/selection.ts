// rdiff-backup's file selection: ordered --include/--exclude globs and type filters, first match wins,
// directories "scanned" and kept only when something inside is included; top-level rdiff-backup-data never.
import { AgentError } from "@/agent/errors";
import type { SourceEntry } from "@/agent/sources/types";
import { compileGlob, type Verdict } from "./glob";

/** One selection option, in command-line order. */
export type SelectionRule =
  | { kind: "include" | "exclude"; glob: string | Buffer }
  | { kind: "exclude-fifos" | "exclude-sockets" | "exclude-other-filesystems" };

type Test = { fn: (fullPath: string, relParts: number, e: SourceEntry, rel: Buffer) => Verdict; excludes: boolean; name: string };

/** Decides, per entry, whether a path is backed up (1), skipped (0) or a directory to scan (2). */
export interface Selection {
  select(rel: Buffer, entry: SourceEntry): 0 | 1 | 2;
}

/** Builds the selection for a source root; `rootDev` is the root's device (for --exclude-other-filesystems). */
export function buildSelection(root: Buffer, rules: SelectionRule[], rootDev: number): Selection {
  const tests: Test[] = [
    { fn: (_p, _n, _e, rel) => (rel.equals(RBDIR) ? 0 : undefined), excludes: true, name: "rdiff-backup-data" },
  ];
  for (const r of rules) {
    if (r.kind === "include" || r.kind === "exclude") {
      const g = compileGlob(Buffer.from(r.glob), r.kind === "include", root);
      tests.push({ fn: (p) => g(p), excludes: r.kind === "exclude", name: `--${r.kind} ${Buffer.from(r.glob).toString()}` });
    } else if (r.kind === "exclude-fifos") tests.push(typeTest("fifo", r.kind));
    else if (r.kind === "exclude-sockets") tests.push(typeTest("socket", r.kind));
    else tests.push({ fn: (_p, _n, e) => (e.dev === rootDev ? undefined : 0), excludes: true, name: r.kind });
  }
  const last = tests[tests.length - 1];
  if (!last.excludes) {
    throw new AgentError(
      "usage",
      `Cannot use selection "${last.name}": the last selection option only includes, which is the default anyway; end with an exclude such as --exclude "**"`,
    );
  }
  const rootStr = root.toString("latin1");
  return {
    select(rel, entry) {
      const full = rel.length === 0 ? rootStr : rootStr === "/" ? "/" + rel.toString("latin1") : rootStr + "/" + rel.toString("latin1");
      let scanned: 0 | 2 = 0;
      for (const t of tests) {
        const v = t.fn(full, 0, entry, rel);
        if (v === 1) return 1;
        if (v === 0) return scanned;
        if (v === 2) scanned = 2;
      }
      return 1;
    },
  };
}

function typeTest(type: SourceEntry["type"], name: string): Test {
  return { fn: (_p, _n, e) => (e.type === type ? 0 : undefined), excludes: true, name: `--${name}` };
}

const RBDIR = Buffer.from("rdiff-backup-data");
