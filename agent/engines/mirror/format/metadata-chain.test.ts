import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { diffMetadata, listMetadataFiles, metadataChainFor, readMetadataAt, shouldConvertToDiff, type MetadataFile } from "./metadata-chain";
import { serializeRecord, type MetaRecord } from "./metadata-record";
import { extractFixture, loadManifest } from "./test-fixture";

async function all(it: AsyncIterable<MetaRecord>): Promise<MetaRecord[]> {
  const out: MetaRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe("metadata chain", () => {
  const S = [1711360800, 1711533600, 1711706400, 1711792800, 1712052000, 1712311200];

  it("reads the fixture's metadata at every session as the manifest says", async () => {
    const fx = extractFixture();
    try {
      const files = await listMetadataFiles(fx.repo);
      expect(metadataChainFor(files, S[2]).map((f) => f.time)).toEqual([S[5], S[4], S[3], S[2]]);
      for (const s of loadManifest().sessions) {
        const recs = await all(readMetadataAt(fx.repo, s.epoch, files));
        const got = recs.map((r) => (r.path.length ? r.path.toString() : "."));
        expect(got, s.session).toEqual(s.entries.map((e) => e.path));
        for (const [i, e] of s.entries.entries()) {
          const r = recs[i];
          expect(r.type).toBe(e.type);
          if (e.type === "reg") expect([r.size, r.mtime, r.perms!.toString(8).padStart(4, "0")]).toEqual([e.size, e.mtime, e.mode]);
          if (e.type === "reg" && r.sha1) expect(r.sha1).toBe(e.sha1);
          if (e.type === "sym") expect(r.symData!.toString()).toBe(e.target);
        }
      }
    } finally {
      fx.cleanup();
    }
  });

  it("recomputes every reverse diff rdiff-backup wrote, byte for byte", async () => {
    const fx = extractFixture();
    try {
      const files = await listMetadataFiles(fx.repo);
      for (let i = 0; i < S.length - 1; i++) {
        const diff = files.find((f) => f.time === S[i])!;
        const want = diff.file.endsWith(".gz") ? gunzipSync(readFileSync(diff.file)) : readFileSync(diff.file);
        const recs = await all(diffMetadata(readMetadataAt(fx.repo, S[i], files), readMetadataAt(fx.repo, S[i + 1], files)));
        expect(Buffer.concat(recs.map(serializeRecord)).toString(), `diff at ${S[i]}`).toBe(want.toString());
      }
    } finally {
      fx.cleanup();
    }
  });

  it("refuses a time without its own metadata file", async () => {
    const fx = extractFixture();
    try {
      expect(() => metadataChainFor([], 5)).toThrow(/no mirror_metadata file/);
      await expect(all(readMetadataAt(fx.repo, S[1] + 1))).rejects.toThrow(/no mirror_metadata file/);
    } finally {
      fx.cleanup();
    }
  });

  it("keeps a snapshot after 8 diffs in a row", () => {
    const mk = (n: number, kind: "diff" | "snapshot"): MetadataFile => ({ file: `f${n}`, time: n, kind });
    const eightDiffs = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => mk(n, "diff"));
    expect(shouldConvertToDiff([...eightDiffs, mk(9, "snapshot")], 9)).toBe(false);
    expect(shouldConvertToDiff([...eightDiffs.slice(1), mk(9, "snapshot")], 9)).toBe(true);
    expect(shouldConvertToDiff([mk(1, "snapshot")], 1)).toBe(true);
  });
});
