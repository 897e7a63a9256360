import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { MetadataWriter, readMetadataFile, splitLines, writeMetadataFile } from "./metadata-stream";
import type { MetaRecord } from "./metadata-record";

const rec = (p: string, extra: Partial<MetaRecord> = {}): MetaRecord => ({
  path: Buffer.from(p), type: "reg", size: 1, mtime: 5, uid: 0, uname: "root", gid: 0, gname: "root", perms: 420, ...extra,
});

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), "strata-meta-"));
}

describe("metadata stream", () => {
  it("splits lines across arbitrary chunk boundaries", async () => {
    const text = Buffer.from("File a\n  Type reg\nFile b\n");
    const chunks = [...text].map((c) => Buffer.from([c]));
    const lines = [];
    for await (const l of splitLines(chunks)) lines.push(l.toString());
    expect(lines).toEqual(["File a", "  Type reg", "File b"]);
  });

  it("writes a gzip snapshot that reads back to the same records", async () => {
    const dir = tmp();
    try {
      const recs = [rec("", { type: "dir" }), rec("a"), rec("a/b"), rec("a.b"), rec("x", { type: null })];
      const file = await writeMetadataFile(path.join(dir, "mirror_metadata.X.snapshot"), recs, "always");
      expect(file.endsWith(".snapshot.gz")).toBe(true);
      const back: MetaRecord[] = [];
      for await (const r of readMetadataFile(file)) back.push(r);
      expect(back.map((r) => r.path.toString())).toEqual(["", "a", "a/b", "a.b", "x"]);
      expect(back[4].type).toBeNull();
      expect(gunzipSync(readFileSync(file)).toString().startsWith("File .\n  Type dir\n")).toBe(true);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("closes the file when a reader stops after the first record", async () => {
    const dir = tmp();
    try {
      const recs = Array.from({ length: 5000 }, (_, i) => rec(`f${String(i).padStart(5, "0")}`));
      const file = await writeMetadataFile(path.join(dir, "m.snapshot"), recs, "always");
      for await (const r of readMetadataFile(file)) {
        expect(r.path.toString()).toBe("f00000");
        break;
      }
      const open = () => readdirSync("/proc/self/fd").filter((fd) => {
        try { return readlinkSync(`/proc/self/fd/${fd}`) === file; } catch { return false; }
      });
      for (let i = 0; i < 50 && open().length; i++) await new Promise((r) => setTimeout(r, 10));
      expect(open()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("writes an empty diff as a 0-byte file without .gz", async () => {
    const dir = tmp();
    try {
      const base = path.join(dir, "mirror_metadata.T.diff");
      const file = await writeMetadataFile(base, [], "maybe");
      expect(file).toBe(base);
      expect(statSync(base).size).toBe(0);
      expect(existsSync(base + ".gz")).toBe(false);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("refuses records out of order", async () => {
    const dir = tmp();
    try {
      const w = new MetadataWriter(path.join(dir, "m"), "never");
      await w.write(rec("a.txt"));
      await expect(w.write(rec("a/b"))).rejects.toThrow(/out of order/);
      await w.close();
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
