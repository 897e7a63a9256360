import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpSvn } from "./svn";
import { makeDumpContext, requireTool, sh } from "./test-support";

let work: string;
let repo: string;

beforeAll(async () => {
  requireTool("svnadmin");
  requireTool("svn");
  work = await mkdtemp(path.join(os.tmpdir(), "strata-svn-test-"));
  repo = path.join(work, "svnroot", "proj1");
  await mkdir(path.dirname(repo));
  sh(`svnadmin create '${repo}'`);
  const src = path.join(work, "import");
  await mkdir(path.join(src, "trunk"), { recursive: true });
  await writeFile(path.join(src, "trunk", "README.txt"), "hello from svn\n");
  await writeFile(path.join(src, "trunk", "bin.dat"), Buffer.from([0, 1, 2, 255]));
  sh(`svn import -q -m 'first import' '${src}' 'file://${repo}'`);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("svn dump", () => {
  it("dumps a repository with svnadmin into a gzip archive that loads into a new repository with the same history", async () => {
    const t = await makeDumpContext();
    try {
      const out = await dumpSvn(t.ctx, { repositories: [repo], compression: "gzip" });
      const name = `bmhost${repo.replaceAll("/", "-")}.20270301.svn.gz`;
      expect(out.outputs.map((o) => o.name)).toEqual([name]);
      const copy = path.join(work, "restored");
      sh(`svnadmin create '${copy}' && gzip -dc '${out.outputs[0].path}' | svnadmin load -q '${copy}'`);
      expect(sh(`svnlook youngest '${copy}'`).trim()).toBe("1");
      expect(sh(`svnlook log '${copy}'`).trim()).toBe("first import");
      expect(sh(`svnlook cat '${copy}' trunk/README.txt`)).toBe("hello from svn\n");
      expect(sh(`svnlook cat '${copy}' trunk/bin.dat | od -An -tx1`).trim()).toBe("00 01 02 ff");
    } finally {
      await t.cleanup();
    }
  });

  it("reports a path that is not a repository as an item error and still dumps the others", async () => {
    const t = await makeDumpContext();
    try {
      const missing = path.join(work, "nope");
      const out = await dumpSvn(t.ctx, { repositories: [missing, repo], compression: "none" });
      expect(out.outputs).toHaveLength(1);
      expect(t.itemErrors.map((e) => e.error.message)).toEqual([`SVN repository "${missing}" is not valid; skipping`]);
      expect(sh(`head -c 24 '${out.outputs[0].path}'`)).toBe("SVN-fs-dump-format-versi");
    } finally {
      await t.cleanup();
    }
  });
});
