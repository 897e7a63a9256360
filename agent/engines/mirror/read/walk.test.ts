import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { extractFixture, loadManifest } from "../format/test-fixture";
import { openRepository } from "./repository";
import { callbackOutput, restoreTo } from "./restore";
import { openFileAt, statAt, walkAt } from "./walk";

const sha1 = async (it: AsyncIterable<Buffer>) => {
  const h = createHash("sha1");
  for await (const c of it) h.update(c);
  return h.digest("hex");
};

describe("walking a repository at a time", () => {
  let fx: ReturnType<typeof extractFixture>;
  beforeAll(() => { fx = extractFixture(); });
  afterAll(() => fx.cleanup());

  it("streams any file version through openFileAt (two deltas deep for big.txt at S1)", async () => {
    const repo = await openRepository(fx.repo);
    for (const s of loadManifest().sessions) {
      for (const e of s.entries.filter((x) => x.type === "reg")) {
        expect(await sha1(await openFileAt(repo, Buffer.from(e.path), s.epoch)), `${s.session} ${e.path}`).toBe(e.sha1);
      }
    }
    await expect(openFileAt(repo, Buffer.from("dir1"), 1711360800)).rejects.toThrow(/not a regular file/);
    await expect(openFileAt(repo, Buffer.from("late.txt"), 1711360800)).rejects.toThrow(/does not exist/);
  });

  it("walks a sub-tree that only exists in old sessions, with paths relative to it", async () => {
    const repo = await openRepository(fx.repo);
    const rels: string[] = [];
    for await (const e of walkAt(repo, Buffer.from("dir1"), 1711533600)) rels.push(e.rel.toString() || ".");
    expect(rels).toEqual([".", "dir2", "dir2/nested.txt"]);
    expect((await statAt(repo, Buffer.from("dir1"), 1712311200))).toBeNull();
    expect((await statAt(repo, Buffer.from("link"), 1711360800))?.record.symData?.toString()).toBe("a.txt");
  });

  it("feeds a callback output in metadata order, marking the second hard link", async () => {
    const repo = await openRepository(fx.repo);
    const seen: Array<[string, string | undefined]> = [];
    const res = await restoreTo(repo, Buffer.alloc(0), 1711360800, callbackOutput(async (e) => {
      seen.push([e.path.toString() || ".", e.linkTo?.toString()]);
      if (e.record.type === "reg") await sha1(e.open());
    }));
    expect(res.status).toBe("success");
    expect(seen.map(([p]) => p)).toEqual(loadManifest().sessions[0].entries.map((e) => e.path));
    expect(seen.find(([p]) => p === "hard2")?.[1]).toBe("hard1");
  });
});
