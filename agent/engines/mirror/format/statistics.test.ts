import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import path from "node:path";
import {
  formatFileStatLine, formatSessionStatistics, humanBytes, parseFileStatLine, parseSessionStatistics,
  type SessionStatistics,
} from "./statistics";
import { extractFixture } from "./test-fixture";

describe("statistics files", () => {
  let tz: string | undefined;
  beforeEach(() => { tz = process.env.TZ; });
  afterEach(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });

  it("prints sizes the way rdiff-backup does", () => {
    expect(humanBytes(0)).toBe("0 bytes");
    expect(humanBytes(1)).toBe("1 byte");
    expect(humanBytes(673)).toBe("673 bytes");
    expect(humanBytes(19065)).toBe("18.6 KB");
    expect(humanBytes(14835)).toBe("14.5 KB");
    expect(humanBytes(1024)).toBe("1.00 KB");
    expect(humanBytes(102912)).toBe("100 KB"); // 100.5 rounds half to even, like Python
    expect(humanBytes(-2048)).toBe("-2.00 KB");
    expect(humanBytes(5 * 1024 ** 3)).toBe("5.00 GB");
  });

  it("re-formats the fixture's session_statistics files byte for byte", () => {
    process.env.TZ = "Europe/Berlin"; // same rules as the fixture's POSIX TZ, which ICU does not read
    const fx = extractFixture();
    try {
      const dataDir = path.join(fx.repo, "rdiff-backup-data");
      const files = readdirSync(dataDir).filter((f) => f.startsWith("session_statistics."));
      expect(files.length).toBe(6);
      for (const f of files) {
        const text = readFileSync(path.join(dataDir, f), "utf8");
        const parsed = parseSessionStatistics(text) as unknown as SessionStatistics;
        expect(formatSessionStatistics(parsed)).toBe(text);
      }
    } finally {
      fx.cleanup();
    }
  });

  it("parses and re-formats the fixture's file_statistics lines", () => {
    const fx = extractFixture();
    try {
      const dataDir = path.join(fx.repo, "rdiff-backup-data");
      for (const f of readdirSync(dataDir).filter((n) => n.startsWith("file_statistics."))) {
        const text = gunzipSync(readFileSync(path.join(dataDir, f)));
        const lines = text.toString("latin1").split("\n").filter((l) => l && !l.startsWith("#"));
        for (const l of lines) {
          const parsed = parseFileStatLine(Buffer.from(l, "latin1"))!;
          expect(formatFileStatLine(parsed).toString("latin1")).toBe(l + "\n");
        }
      }
      const spaced = parseFileStatLine(Buffer.from("file with spaces.txt 1 10 NA 0"))!;
      expect(spaced).toMatchObject({ changed: true, sourceSize: 10, mirrorSize: null, incrementSize: 0 });
      expect(spaced.path.toString()).toBe("file with spaces.txt");
    } finally {
      fx.cleanup();
    }
  });
});
