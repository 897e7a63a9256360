// The change set a tarball run reports (onChange): new / changed / deleted paths with the archive holding the
// bytes — a full archive lists every member, an incremental what it stored and what its dumpdirs dropped.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ChangeSetEntry } from "@/lib/schemas/change-set";
import { parseDay } from "./naming";
import { runTarballMethod } from "./tarball";
import { tempDir } from "./test-helpers";

const t = tempDir("change-set");
afterAll(() => t.cleanup());

async function run(repo: string, targets: string[], day: string, master: { frequency: "weekly"; value: number } | undefined) {
  const entries: ChangeSetEntry[] = [];
  await runTarballMethod(
    { repository: repo, prefix: "h", now: parseDay(day), permissions: {}, purgeDuplicates: false, callbacks: { onChange: (e) => entries.push(e) } },
    { targets, nameFormat: "long", fileType: "tar.gz", blacklist: [], dumpSymlinks: false, incremental: master },
  );
  return entries.map((e) => `${e.change} ${e.path} ${e.type}${e.archive ? ` @${e.archive.replace(/^h.*?\.(\d{8}(\.master)?)\..*$/, "$1")}` : ""}`).sort();
}

describe("tarball change sets", () => {
  it("first run: root, folders above the targets once (shared by two targets), every member; then changes, deletions, a full archive again", async () => {
    const base = path.join(t.dir, "src");
    const a = path.join(base, "a");
    const b = path.join(base, "b");
    mkdirSync(a, { recursive: true });
    mkdirSync(b, { recursive: true });
    writeFileSync(path.join(a, "one.txt"), "1\n");
    writeFileSync(path.join(a, "gone.txt"), "bye\n");
    writeFileSync(path.join(b, "two.txt"), "2\n");
    const repo = path.join(t.dir, "repo");
    mkdirSync(repo);
    const rel = (p: string) => p.slice(1);
    const weekly = { frequency: "weekly" as const, value: 1 }; // 2027-03-01 is a Monday
    const day1 = await run(repo, [a, b], "20270302", weekly); // no snapshot yet: masters
    const ancestors = rel(base).split("/").map((_, i, all) => all.slice(0, i + 1).join("/"));
    expect(day1).toEqual(
      [
        "new  dir",
        ...ancestors.map((p) => `new ${p} dir`),
        `new ${rel(a)} dir @20270302.master`,
        `new ${rel(a)}/gone.txt file @20270302.master`,
        `new ${rel(a)}/one.txt file @20270302.master`,
        `new ${rel(b)} dir @20270302.master`,
        `new ${rel(b)}/two.txt file @20270302.master`,
      ].sort(),
    );
    writeFileSync(path.join(a, "one.txt"), "1 changed\n");
    rmSync(path.join(a, "gone.txt"));
    const day2 = await run(repo, [a, b], "20270303", weekly);
    // (folder "a" is listed too when its mtime moved to another second; tar keeps whole seconds)
    expect(day2.filter((l) => l !== `changed ${rel(a)} dir @20270303`)).toEqual([`changed ${rel(a)}/one.txt file @20270303`, `deleted ${rel(a)}/gone.txt file`].sort());
    const day3 = await run(repo, [a, b], "20270308", weekly); // Monday: full archives list every member again
    expect(day3).toEqual(
      [`changed ${rel(a)} dir @20270308.master`, `changed ${rel(a)}/one.txt file @20270308.master`, `changed ${rel(b)} dir @20270308.master`, `changed ${rel(b)}/two.txt file @20270308.master`].sort(),
    );
  }, 60_000);
});
