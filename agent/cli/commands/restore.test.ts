import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { extractFixture } from "../../engines/mirror/format/test-fixture";
import { useTz } from "../../engines/mirror/read/test-rdiff";
import { runAgent } from "./restore-cli";

describe("strata-agent restore", () => {
  let fx: ReturnType<typeof extractFixture>;
  let tz: () => void;
  beforeAll(() => {
    fx = extractFixture();
    tz = useTz("UTC");
  });
  afterAll(() => {
    tz();
    fx.cleanup();
  });

  it("restores a file as of a session spec and refuses an existing target without --force", async () => {
    const target = path.join(fx.root, "a.txt");
    expect((await runAgent(["restore", path.join(fx.repo, "a.txt"), target, "--at", "4B"])).code).toBe(0);
    expect(readFileSync(target, "utf8")).toBe("alpha v2\nsecond line\n");
    const again = await runAgent(["restore", path.join(fx.repo, "a.txt"), target, "--at", "5B"]);
    expect(again.code).toBe(2);
    expect(again.error).toMatch(/already exists .*--force/);
    expect((await runAgent(["restore", path.join(fx.repo, "a.txt"), target, "--at", "5B", "--force"])).code).toBe(0);
    expect(readFileSync(target, "utf8")).toBe("alpha v1\n");
  });

  it("takes dates, intervals and epochs, and rejects bad specs and missing paths as usage errors", async () => {
    const out = (n: string) => path.join(fx.root, n);
    expect((await runAgent(["restore", fx.repo, out("d1"), "--at", "2024-03-28"])).code).toBe(0);
    expect(readFileSync(out("d1/a.txt"), "utf8")).toBe("alpha v2\nsecond line\n");
    expect((await runAgent(["restore", fx.repo, out("d2"), "--at", "1D", "--current-time", "1711454400"])).code).toBe(0);
    expect(readFileSync(out("d2/a.txt"), "utf8")).toBe("alpha v1\n");
    expect((await runAgent(["restore", fx.repo, out("d3"), "--at", "3d"])).code).toBe(2);
    expect((await runAgent(["restore", path.join(fx.repo, "nope.txt"), out("d4")])).code).toBe(2);
    expect((await runAgent(["restore", "/nonexistent-repo-xyz", out("d5")])).code).toBe(2);
  });

  it("never restores into, over or around the repository, even with --force", async () => {
    for (const target of [fx.repo, path.join(fx.repo, "a.txt"), fx.root]) {
      const r = await runAgent(["restore", path.join(fx.repo, "a.txt"), target, "--force"]);
      expect(r.code, target).toBe(2);
      expect(r.error).toMatch(/inside the repository/);
    }
    expect(readFileSync(path.join(fx.repo, "a.txt"), "utf8")).toBe("alpha v6\n");
  });

  it("exits partial naming a corrupted increment", async () => {
    const inc = path.join(fx.repo, "rdiff-backup-data", "increments", "a.txt.2024-03-30T11:00:00+01:00.diff.gz");
    const saved = readFileSync(inc);
    writeFileSync(inc, gzipSync(Buffer.from("garbage")));
    try {
      const r = await runAgent(["restore", fx.repo, path.join(fx.root, "corrupt"), "--at", "1711533600"]);
      expect(r.code).toBe(3);
      expect(r.error).toMatch(/1 file\(s\) not restored/);
      const v = await runAgent(["verify", fx.repo, "--at", "1711533600", "--json"]);
      expect(v.code).toBe(1);
      expect(JSON.parse(v.stdout).problems[0].message).toContain("a.txt.2024-03-30T11:00:00+01:00.diff.gz");
    } finally {
      writeFileSync(inc, saved);
    }
  });

  it("prints usage for --help", async () => {
    for (const verb of [["restore"], ["list", "increments"], ["list", "increment-sizes"], ["list", "files"], ["list", "changed"], ["remove", "increments"], ["verify"]]) {
      const r = await runAgent([...verb, "--help"]);
      expect(r.stdout, verb.join(" ")).toMatch(/^Usage: strata-agent /);
    }
  });
});
