import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import path from "node:path";
import { comparePaths, quotePath, serializeRecord, unquotePath } from "./metadata-record";
import { parseMetadata } from "./metadata-stream";
import { extractFixture } from "./test-fixture";

const b = (s: string) => Buffer.from(s);

describe("metadata records", () => {
  it("sorts by path-component tuple, so dir1/* comes before dir1.txt", () => {
    const names = ["dir1.txt", "dir1/dir2/nested.txt", "", "dir1", "dir1/dir2", "a b", "A"];
    const sorted = names.map(b).sort(comparePaths).map(String);
    expect(sorted).toEqual(["", "A", "a b", "dir1", "dir1/dir2", "dir1/dir2/nested.txt", "dir1.txt"]);
  });

  it("quotes backslash and newline only, and unquotes like upstream", () => {
    expect(quotePath(b("back\\slash")).toString()).toBe("back\\\\slash");
    expect(quotePath(b("new\nline\ttab")).toString()).toBe("new\\nline\ttab");
    expect(unquotePath(b("new\\nline")).toString()).toBe("new\nline");
    expect(unquotePath(b("a\\b")).toString()).toBe("a\\b");
    const raw = Buffer.from([0xff, 0x5c, 0x0a, 0x5c, 0x6e, 0x20]);
    expect(unquotePath(quotePath(raw)).equals(raw)).toBe(true);
  });

  it("re-serialises every record rdiff-backup wrote in the fixture byte for byte", async () => {
    const fx = extractFixture();
    try {
      const dataDir = path.join(fx.repo, "rdiff-backup-data");
      const files = readdirSync(dataDir).filter((f) => f.startsWith("mirror_metadata."));
      expect(files.length).toBe(6);
      for (const f of files) {
        const raw = readFileSync(path.join(dataDir, f));
        const bytes = f.endsWith(".gz") ? gunzipSync(raw) : raw;
        const records = [];
        for await (const r of parseMetadata([bytes.subarray(0, 7), bytes.subarray(7)])) records.push(r);
        expect(Buffer.concat(records.map(serializeRecord)).equals(bytes)).toBe(true);
      }
    } finally {
      fx.cleanup();
    }
  });

  it("writes a Type None record as File + Type only", () => {
    expect(serializeRecord({ path: b("new.txt"), type: null }).toString()).toBe("File new.txt\n  Type None\n");
  });

  it("writes symlinks without ModTime and devices with DeviceNum", () => {
    const sym = serializeRecord({ path: b("l"), type: "sym", symData: b("a\nb"), uid: 0, uname: "root", gid: 0, gname: null, perms: 511 });
    expect(sym.toString()).toBe("File l\n  Type sym\n  SymData a\\nb\n  Uid 0\n  Uname root\n  Gid 0\n  Gname :\n  Permissions 511\n");
    const dev = serializeRecord({ path: b("d"), type: "dev", deviceNum: { kind: "c", major: 1, minor: 3 }, perms: 438 });
    expect(dev.toString()).toContain("  DeviceNum c 1 3\n  Uid 0\n");
  });
});
