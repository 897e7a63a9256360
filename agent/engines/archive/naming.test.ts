import { describe, expect, it } from "vitest";
import {
  formatDay,
  md5FileName,
  mysqlDumpName,
  parseArchiveName,
  parseDay,
  pgsqlDumpName,
  pipeOutputName,
  snapshotName,
  svnDumpName,
  tarballArchiveName,
  targetNamePart,
} from "./naming";

describe("backup-manager names (spec §2)", () => {
  it("builds the long and short name parts of the spec table", () => {
    const cases: [string, string, string][] = [
      ["/etc/", "-etc", "-etc"],
      ["/var/log/apache2", "-var-log-apache2", "-apache2"],
      ["/srv/My Files", "-srv-My_Files", "-My Files"],
      ["/", "", "-"],
      ["rel/dir", "rel-dir", "-dir"],
    ];
    for (const [target, long, short] of cases) {
      expect(targetNamePart(target, "long")).toBe(long);
      expect(targetNamePart(target, "short")).toBe(short);
    }
  });

  it("names tarball masters, incrementals, snapshots and the md5 file like the spec examples", () => {
    const base = { prefix: "bmhost", target: "/tmp/bmfix/data", format: "long" as const, type: "tar.gz" as const };
    expect(tarballArchiveName({ ...base, day: "20270104", master: true })).toBe("bmhost-tmp-bmfix-data.20270104.master.tar.gz");
    expect(tarballArchiveName({ ...base, day: "20270105", master: false })).toBe("bmhost-tmp-bmfix-data.20270105.tar.gz");
    expect(snapshotName("bmhost", "/tmp/bmfix/data", "long")).toBe("bmhost-tmp-bmfix-data.incremental.bin");
    expect(md5FileName("bmhost")).toBe("bmhost-hashes.md5");
  });

  it("names dumps and pipe outputs like the spec examples", () => {
    expect(mysqlDumpName("bmhost", "20270301", "shop", "bzip2")).toBe("bmhost-mysql-shop.20270301.sql.bz2");
    expect(mysqlDumpName("bmhost", "20270301", undefined, "none")).toBe("bmhost-all-mysql-databases.20270301.sql");
    expect(pgsqlDumpName("bmhost", "20270301", "bmtest", "gzip")).toBe("bmhost-pgsql-bmtest.20270301.sql.gz");
    expect(svnDumpName("bmhost", "20270301", "/tmp/bm-svn/svnroot/proj1", "gzip")).toBe(
      "bmhost-tmp-bm-svn-svnroot-proj1.20270301.svn.gz",
    );
    expect(pipeOutputName("bmhost", "20270301", "numbers", "txt", "bzip2")).toBe("bmhost-numbers.20270301.txt.bz2");
  });

  it("formats and validates days", () => {
    expect(formatDay(new Date(2027, 0, 4, 23, 59))).toBe("20270104");
    expect(formatDay(parseDay("20270229".replace("29", "28")))).toBe("20270228");
    expect(() => parseDay("20270230")).toThrow(/Invalid date "20270230"/);
  });

  it("parses dated names as backup-manager-purge does and ignores undated ones", () => {
    expect(parseArchiveName("bmhost-tmp-bmfix-data.20270104.master.tar.gz", "bmhost")).toEqual({
      prefix: "bmhost",
      name: "tmp-bmfix-data",
      day: "20270104",
      master: true,
      suffix: "tar.gz",
    });
    expect(parseArchiveName("bmhost-tmp-bmfix-data.20270105.tar.gz", "bmhost")?.master).toBe(false);
    expect(parseArchiveName("other-etc.20270105.master.tar.gz", "bmhost")).toMatchObject({
      prefix: "other",
      name: "etc",
      master: true,
    });
    expect(parseArchiveName("bmhost-20270101.md5", "x")).toMatchObject({ prefix: "bmhost", day: "20270101" });
    for (const undated of ["bmhost-hashes.md5", "bmhost-tmp-bmfix-data.incremental.bin", "notes.txt", "x.20270101.txt"]) {
      expect(parseArchiveName(undated, "bmhost")).toBeUndefined();
    }
  });
});
