import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { archiveJob } from "@/lib/schemas/archive-job";
import { readPassword } from "./dump-step";
import { runDumpJob } from "./index";

describe("dump job run", () => {
  it("runs a pipe job into a SessionResult, applies the archive mode and links an identical older day", async () => {
    const repository = await mkdtemp(path.join(os.tmpdir(), "strata-dumpjob-test-"));
    try {
      const job = archiveJob.parse({
        name: "numbers",
        methods: ["pipe"],
        repository,
        prefix: "bmhost",
        niceLevel: 10,
        pipe: [{ name: "numbers", command: ["seq", "1", "1000"], fileType: "txt", compression: "gzip" }],
      });
      const changes: string[] = [];
      const day1 = await runDumpJob(job, { now: new Date(2027, 2, 1, 3), permissions: { archiveMode: 0o640 } });
      const day2 = await runDumpJob(job, {
        now: new Date(2027, 2, 2, 3),
        permissions: { archiveMode: 0o640 },
        callbacks: { onChange: (c) => changes.push(`${c.change} ${c.path} ${c.archive}`) },
      });
      expect(day1).toMatchObject({ status: "success", outputs: ["bmhost-numbers.20270301.txt.gz"] });
      expect(day2.outputs).toEqual(["bmhost-numbers.20270302.txt.gz"]);
      expect(day2.stats).toMatchObject({ newFiles: 1, errors: 0 });
      // One path per dump (the name without its date); day 2 is a new version of it.
      expect(changes).toEqual(["changed bmhost-numbers.txt.gz bmhost-numbers.20270302.txt.gz"]);
      const a = await stat(path.join(repository, "bmhost-numbers.20270301.txt.gz"));
      const b = await stat(path.join(repository, "bmhost-numbers.20270302.txt.gz"));
      expect(a.ino).toBe(b.ino);
      expect(b.mode & 0o777).toBe(0o640);
    } finally {
      await rm(repository, { recursive: true, force: true });
    }
  });

  it("refuses a job without a dump method", async () => {
    const job = archiveJob.parse({ name: "t", methods: ["tarball"], repository: "/tmp", prefix: "p", tarball: { targets: ["/etc"] } });
    await expect(runDumpJob(job)).rejects.toThrow('Job "t" lists no dump method (mysql, pgsql, svn or pipe)');
  });

  it("reads a MySQL password from its password file", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "strata-pw-test-"));
    try {
      await writeFile(path.join(dir, "pw"), "s3cret\n", { mode: 0o600 });
      expect(await readPassword({ passwordFile: path.join(dir, "pw") })).toBe("s3cret");
      await expect(readPassword({ passwordFile: path.join(dir, "nope") })).rejects.toThrow(`Cannot read password file "${dir}/nope"`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
