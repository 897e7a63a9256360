// The backup-manager configuration importer: real configuration files (the Debian package's, the upstream
// template, the fixture's), bash syntax read without executing it, every unmappable key reported.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importBmConfig, parseBmConfig } from "./backup-manager-config";
import { tempDir } from "./test-helpers";

const DEBIAN_CONF = "/etc/backup-manager.conf";
const TEMPLATE = "/usr/share/backup-manager/backup-manager.conf.tpl";
const t = tempDir("bm-config");
afterAll(() => t.cleanup());

describe("backup-manager configuration import", () => {
  it.skipIf(!existsSync(DEBIAN_CONF))("maps the Debian package's /etc/backup-manager.conf (tarball of /etc and /home) and reports scp and CDRW", () => {
    const r = importBmConfig(readFileSync(DEBIAN_CONF, "utf8"), { file: DEBIAN_CONF, hostname: "web1" });
    expect(r.errors).toEqual([]);
    expect(r.job).toMatchObject({
      name: "backup-manager",
      repository: "/var/archives",
      prefix: "web1",
      methods: ["tarball"],
      ttlDays: 5,
      purgeDuplicates: true,
      strictPurge: true,
      niceLevel: 10,
      permissions: { repositoryMode: "770", archiveMode: "660", user: "root", group: "root" },
      tarball: { targets: ["/etc", "/home"], nameFormat: "long", fileType: "tar.gz", blacklist: ["/var/archives"], dumpSymlinks: false },
    });
    expect(r.warnings.join("\n")).toMatch(/BM_UPLOAD_METHOD=scp/);
    expect(r.warnings.join("\n")).toMatch(/BM_BURNING_METHOD=CDRW/);
  });

  it.skipIf(!existsSync(TEMPLATE))("maps the upstream template with the fixture's overrides appended (later exports win)", () => {
    const overrides = `
export BM_REPOSITORY_ROOT="/tmp/bmfix/repo"
export BM_ARCHIVE_TTL="60"
export BM_ARCHIVE_PREFIX="bmhost"
export BM_ARCHIVE_METHOD="tarball-incremental"
export BM_TARBALL_DIRECTORIES="/tmp/bmfix/data"
export BM_TARBALL_BLACKLIST="*.tmp"
export BM_TARBALLINC_MASTERDATETYPE="weekly"
export BM_TARBALLINC_MASTERDATEVALUE="1"
export BM_UPLOAD_METHOD="none"
export BM_BURNING_METHOD="none"
export BM_ENCRYPTION_METHOD=""
`;
    const r = importBmConfig(readFileSync(TEMPLATE, "utf8") + overrides, { file: "bm.conf", hostname: "x" });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.job).toMatchObject({
      name: "bm",
      repository: "/tmp/bmfix/repo",
      prefix: "bmhost",
      methods: ["tarball-incremental"],
      ttlDays: 60,
      tarball: { targets: ["/tmp/bmfix/data"], blacklist: ["*.tmp"] },
      incremental: { frequency: "weekly", value: 1 },
    });
  });

  it("reads arrays, $HOSTNAME, $TODAY and earlier keys, and never runs commands", () => {
    const marker = path.join(t.dir, "pwned");
    const text = `#!/bin/bash
# comment
export BM_REPOSITORY_ROOT="/srv/archives/"   # trailing slash stripped
export BM_ARCHIVE_PREFIX="$HOSTNAME"
export BM_ARCHIVE_METHOD="tarball mysql pipe"
declare -a BM_TARBALL_TARGETS
BM_TARBALL_TARGETS[0]="/etc"
BM_TARBALL_TARGETS[1]='/srv/My Files'
BM_TARBALL_TARGETS[2]="/var/www"
export BM_TARBALL_TARGETS
export BM_TARBALL_DIRECTORIES="/boot"
export BM_TARBALL_BLACKLIST="\${BM_REPOSITORY_ROOT} *.log"
export BM_TARBALL_FILETYPE="tar.bz"
export BM_MYSQL_DATABASES="shop blog"
export BM_MYSQL_ADMINPASS="s3cr\\"et"
export BM_MYSQL_FILETYPE="gz"
export BM_MYSQL_SAFEDUMPS="yes"
BM_PIPE_NAME=("numbers" "broken" "dump-$TODAY")
BM_PIPE_COMMAND[0]="seq 1 10"
BM_PIPE_COMMAND[2]="cat /etc/hostname"
BM_PIPE_FILETYPE[0]="txt"
BM_PIPE_FILETYPE[2]="txt"
BM_PIPE_COMPRESS[0]="bzip2"
export BM_FOO_BAR="1"
export BM_PRE_BACKUP_COMMAND="$(touch ${marker})"
touch ${marker}
if [ -x /bin/true ]; then export BM_ARCHIVE_TTL=9; fi
`;
    writeFileSync(path.join(t.dir, "weird.conf"), text);
    const r = importBmConfig(text, { file: path.join(t.dir, "weird.conf"), hostname: "db1", now: new Date(2027, 2, 1) });
    expect(existsSync(marker)).toBe(false);
    expect(r.errors).toEqual([]);
    const job = r.job!;
    expect(job.repository).toBe("/srv/archives");
    expect(job.prefix).toBe("db1");
    expect(job.methods).toEqual(["tarball", "mysql", "pipe"]);
    // BM_TARBALL_DIRECTORIES overwrites TARGETS[0]; higher indices survive (spec §1.3).
    expect(job.tarball!.targets).toEqual(["/boot", "/srv/My Files", "/var/www"]);
    expect(job.tarball!.blacklist).toEqual(["/srv/archives/", "*.log"]); // as bash expands it; the trailing "/" is harmless
    expect(job.tarball!.fileType).toBe("tar.bz2");
    expect(job.mysql).toMatchObject({ databases: ["shop", "blog"], password: 's3cr"et', compression: "gzip", safeDumps: true });
    expect(job.pipe).toEqual([
      { name: "numbers", command: ["seq", "1", "10"], fileType: "txt", compression: "bzip2" },
      { name: "dump-20270301", command: ["cat", "/etc/hostname"], fileType: "txt", compression: "none" },
    ]);
    const w = r.warnings.join("\n");
    expect(w).toMatch(/BM_FOO_BAR is not a backup-manager 0.7.14 key/);
    expect(w).toMatch(/line 26: "touch .*" is not a plain assignment/);
    expect(w).toMatch(/line 27: "if \[ -x/);
    expect(w).toMatch(/line 25: .*command or expansion that is not run/);
    expect(w).toMatch(/BM_PIPE_NAME\[1\]="broken": no command or file type/);
    expect(w).toMatch(/BM_MYSQL_ADMINPASS: the password is copied/);
    expect(w).toMatch(/BM_MYSQL_SAFEDUMPS="yes" read as true/);
  });

  it("honours deprecated keys and reports what Strata cannot do as errors (no job) or warnings", () => {
    const r = importBmConfig(
      `export BM_ARCHIVES_REPOSITORY="/old/place"
export BM_BACKUP_METHOD="tarball"
export BM_DIRECTORIES="/etc"
export BM_ENCRYPTION_METHOD="gpg"
export BM_TARBALL_FILETYPE="dar"
export BM_TARBALL_OVER_SSH="true"
export BM_UPLOAD_METHOD="ftp"
export BM_REPOSITORY_RECURSIVEPURGE="true"
export BM_POST_BACKUP_COMMAND="/usr/local/bin/notify"
`,
      { file: "old.conf", hostname: "h" },
    );
    expect(r.job).toBeUndefined();
    expect(r.input).toMatchObject({ repository: "/old/place", methods: ["tarball"], tarball: { targets: ["/etc"] } });
    expect(r.errors.join("\n")).toMatch(/gpg is not supported/);
    expect(r.errors.join("\n")).toMatch(/BM_TARBALL_FILETYPE="dar" is not supported/);
    expect(r.errors.join("\n")).toMatch(/BM_TARBALL_OVER_SSH=true is not supported/);
    const w = r.warnings.join("\n");
    expect(w).toMatch(/BM_ARCHIVES_REPOSITORY is deprecated/);
    expect(w).toMatch(/BM_UPLOAD_METHOD=ftp: not supported/);
    expect(w).toMatch(/RECURSIVEPURGE=true is not supported/);
    expect(w).toMatch(/BM_POST_BACKUP_COMMAND=.*not run/);
  });

  it("refuses unknown methods, frequencies and compressors the way backup-manager does, and fixes out-of-range master days", () => {
    const bad = importBmConfig(`export BM_ARCHIVE_METHOD="tarbal"\nexport BM_TARBALL_DIRECTORIES="/etc"\n`, { file: "a.conf", hostname: "h" });
    expect(bad.errors).toEqual(['BM_ARCHIVE_METHOD: no such backup method "tarbal"']);
    const freq = importBmConfig(`export BM_ARCHIVE_METHOD="tarball-incremental"\nexport BM_TARBALL_DIRECTORIES="/etc"\nexport BM_TARBALLINC_MASTERDATETYPE="daily"\n`, { file: "a.conf", hostname: "h" });
    expect(freq.errors.join()).toMatch(/unknown frequency "daily"/);
    const day = importBmConfig(`export BM_ARCHIVE_METHOD="tarball-incremental"\nexport BM_TARBALL_DIRECTORIES="/etc"\nexport BM_TARBALLINC_MASTERDATEVALUE="9"\n`, { file: "a.conf", hostname: "h" });
    expect(day.job!.incremental).toEqual({ frequency: "weekly", value: 0 });
    expect(day.warnings.join()).toMatch(/not a weekday/);
    const comp = importBmConfig(`export BM_ARCHIVE_METHOD="pgsql"\nexport BM_PGSQL_FILETYPE="tar.gz"\n`, { file: "a.conf", hostname: "h" });
    expect(comp.errors.join()).toMatch(/BM_PGSQL_FILETYPE="tar.gz": no such compressor/);
    const none = importBmConfig(`export BM_ARCHIVE_METHOD="none"\n`, { file: "a.conf", hostname: "h" });
    expect(none.errors.join()).toMatch(/selects no archive method/);
    // Empty FILETYPE: Strata uses bzip2 where backup-manager dies on "tar.gz"; unset PGSQL port: 5432, not 3306.
    const pg = importBmConfig(`export BM_ARCHIVE_METHOD="pgsql"\nexport BM_PGSQL_FILETYPE=""\nexport BM_PGSQL_ADMINLOGIN="postgres"\n`, { file: "a.conf", hostname: "h" });
    expect(pg.job!.pgsql).toMatchObject({ compression: "bzip2", port: 5432, user: "postgres", databases: "all" });
  });

  it("keeps unquoted words as bash assigns them and reports the rest", () => {
    const c = parseBmConfig(`export BM_TARBALL_DIRECTORIES=/etc /home\nBM_X='a b' # c\n`);
    expect(c.scalars.get("BM_TARBALL_DIRECTORIES")).toBe("/etc");
    expect(c.scalars.get("BM_X")).toBe("a b");
    expect(c.problems.join()).toMatch(/unquoted spaces/);
  });
});
