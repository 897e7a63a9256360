import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeSetEntry, changeSetHeader, type ChangeSetEntry, type ChangeSetHeader } from "@/lib/schemas/change-set";
import { extractFixture, loadManifest } from "../format/test-fixture";
import { openRepository } from "./repository";
import { readVersions, toChangeSetEntry } from "./versions";

describe("reading every version of an existing repository", () => {
  let fx: ReturnType<typeof extractFixture>;
  beforeAll(() => { fx = extractFixture(); });
  afterAll(() => fx.cleanup());

  async function sessions() {
    const out: Array<{ header: ChangeSetHeader; entries: ChangeSetEntry[] }> = [];
    for await (const rec of readVersions(await openRepository(fx.repo))) {
      if ("kind" in rec) out.push({ header: changeSetHeader.parse(rec), entries: [] });
      else out[out.length - 1].entries.push(changeSetEntry.parse(rec));
    }
    return out;
  }

  it("emits one valid change set per session, oldest first, chained by previousTime", async () => {
    const manifest = loadManifest().sessions;
    const got = await sessions();
    expect(got.map((s) => s.header.time)).toEqual(manifest.map((s) => s.epoch));
    expect(got.map((s) => s.header.previousTime)).toEqual([null, ...manifest.slice(0, -1).map((s) => s.epoch)]);
    expect(got[0].entries.every((e) => e.change === "new")).toBe(true);
    expect(got[0].entries.map((e) => e.path || ".")).toEqual(manifest[0].entries.map((e) => e.path));
    expect(got[3].entries).toEqual([]); // S4 changed nothing
  });

  it("replays to each session's tree with the manifest's sizes and digests", async () => {
    const manifest = loadManifest().sessions;
    const state = new Map<string, ChangeSetEntry>();
    for (const [i, s] of (await sessions()).entries()) {
      for (const e of s.entries) {
        if (e.change === "deleted") state.delete(e.path);
        else state.set(e.path, e);
      }
      const want = manifest[i].entries;
      expect([...state.keys()].map((p) => p || ".").sort()).toEqual(want.map((e) => e.path).sort());
      for (const w of want.filter((e) => e.type === "reg")) {
        expect([state.get(w.path)?.size, state.get(w.path)?.sha1], `${manifest[i].session} ${w.path}`).toEqual([w.size, w.sha1]);
      }
      const link = want.find((e) => e.type === "sym");
      if (link) expect(state.get("link")?.linkTarget).toBe(link.target);
    }
  });

  it("carries non-UTF-8 names as pathBase64", () => {
    const raw = Buffer.from([0x66, 0xff]);
    const e = toChangeSetEntry("new", { path: raw, type: "reg", size: 1, perms: 420 });
    expect(Buffer.from(e.pathBase64!, "base64").equals(raw)).toBe(true);
  });
});
