import { describe, expect, it } from "vitest";
import path from "node:path";
import { dataFileName, formatIncName, isNotCompressed, listDataFiles, parseIncName } from "./names";
import { extractFixture } from "./test-fixture";

describe("increment and data-dir names", () => {
  it("parses increment names whose base holds dots and UTF-8", () => {
    const inc = parseIncName("naïve-ü.txt.2024-03-30T11:00:00+01:00.snapshot.gz")!;
    expect(inc.base.toString()).toBe("naïve-ü.txt");
    expect(inc).toMatchObject({ time: 1711792800, type: "snapshot", compressed: true, timestr: "2024-03-30T11:00:00+01:00" });
    expect(parseIncName("mirror_metadata.2024-03-29T11:00:00+01:00.diff")).toMatchObject({ type: "diff", compressed: false });
    expect(parseIncName("increments.2024-04-02T12:00:00+02:00.dir")!.time).toBe(1712052000);
  });

  it("accepts the compatible '-' form and Z, compares instants not strings", () => {
    expect(parseIncName("a.2024-03-25T10-00-00Z.missing")!.time).toBe(1711360800);
    expect(parseIncName("a.2024-03-25T11-00-00+01-00.missing")!.time).toBe(1711360800);
  });

  it("rejects names that are not increments", () => {
    for (const n of ["a.txt", "x.gz", "a.2024-03-25T11:00:00+0100.diff", "a.2024-03-25T11:00:00Z.bogus", "a.2024-03-25T11:00:00Z.diff.bz2", "2024-03-25T11:00:00Z.diff.gz"]) {
      expect(parseIncName(n), n).toBeNull();
    }
  });

  it("keeps non-UTF-8 bytes of the base", () => {
    const raw = Buffer.concat([Buffer.from([0xff, 0xfe, 0x2e, 0x41]), Buffer.from(".2024-01-10T12:00:00Z.diff.gz")]);
    const inc = parseIncName(raw)!;
    expect(inc.base.equals(Buffer.from([0xff, 0xfe, 0x2e, 0x41]))).toBe(true);
    expect(formatIncName(inc.base, inc.timestr, "diff", true).equals(raw)).toBe(true);
  });

  it("formats data-dir names from an epoch in the local zone", () => {
    const tz = process.env.TZ;
    process.env.TZ = "UTC";
    try {
      expect(dataFileName("mirror_metadata", 1704888000, "snapshot", true)).toBe("mirror_metadata.2024-01-10T12:00:00Z.snapshot.gz");
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it("leaves already-compressed formats uncompressed, case-insensitively", () => {
    expect(isNotCompressed("/r/image.png")).toBe(true);
    expect(isNotCompressed("/r/p.PNG")).toBe(true);
    expect(isNotCompressed("/r/x.zip")).toBe(true);
    expect(isNotCompressed("/r/a.txt")).toBe(false);
    expect(isNotCompressed("/r/png")).toBe(false);
  });

  it("lists the fixture's data-dir files by parsed time", async () => {
    const fx = extractFixture();
    try {
      const files = await listDataFiles(path.join(fx.repo, "rdiff-backup-data"));
      const meta = files.filter((f) => f.prefix === "mirror_metadata");
      expect(meta.map((f) => f.time)).toEqual([1711360800, 1711533600, 1711706400, 1711792800, 1712052000, 1712311200]);
      expect(files.filter((f) => f.prefix === "current_mirror").map((f) => f.time)).toEqual([1712311200]);
      expect(files.filter((f) => f.prefix === "increments").length).toBe(4);
    } finally {
      fx.cleanup();
    }
  });
});
