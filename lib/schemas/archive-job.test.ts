import { describe, expect, it } from "vitest";
import { parseArchiveJob } from "./archive-job";

const base = { name: "web1", repository: "/var/archives", prefix: "web1" };

describe("archive job schema", () => {
  it("fills backup-manager's defaults for a tarball job", () => {
    const r = parseArchiveJob({ ...base, methods: ["tarball-incremental"], tarball: { targets: ["/etc"] } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.job.tarball).toEqual({ targets: ["/etc"], nameFormat: "long", fileType: "tar.gz", blacklist: [], dumpSymlinks: false, extraOptions: [] });
    expect([r.job.ttlDays, r.job.purgeDuplicates, r.job.strictPurge]).toEqual([5, true, true]);
  });

  it("accepts dump, pipe and upload sections shaped like the dump and upload engines' settings", () => {
    const r = parseArchiveJob({
      ...base,
      methods: ["mysql", "pgsql", "svn", "pipe"],
      mysql: { user: "backup", passwordFile: "/etc/strata/mysql.pw", databases: ["shop"] },
      pgsql: { user: "postgres", host: "" },
      svn: { repositories: ["/srv/svn/proj"], compression: "gzip" },
      pipe: [{ name: "ldap", command: ["slapcat"], fileType: "ldif", compression: "zstd" }],
      upload: {
        method: "sftp",
        destination: "/srv/backups",
        hosts: [{ host: "b.example", user: "bk", privateKeyPath: "/root/.ssh/id_ed25519", hostKeyFingerprint: `SHA256:${"A".repeat(43)}` }],
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.job.mysql).toMatchObject({ port: 3306, compression: "bzip2", separately: true, safeDumps: true });
    expect(r.job.pgsql).toMatchObject({ port: 5432, databases: "all" });
  });

  it("names every bad field", () => {
    const r = parseArchiveJob({
      ...base,
      methods: ["pipe", "tarball"],
      tarball: { targets: ["relative"], fileType: "tar.lzma" },
      pipe: [{ name: "a/b", command: ["x"], shell: "y", fileType: "" }],
      permissions: { archiveMode: "rw-" },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        "tarball.targets.0: must be an absolute path",
        expect.stringMatching(/^tarball\.fileType: /),
        "pipe.0.name: must be a single word without '/'",
        expect.stringMatching(/^pipe\.0\.fileType: /),
        'permissions.archiveMode: must be octal digits such as "660"',
      ]),
    );
  });
});
