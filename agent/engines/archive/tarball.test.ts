import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, renameSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readSumsFile } from "./hashes";
import { INDEX_SUFFIX } from "./index-format";
import { parseDay, type TarballType } from "./naming";
import { runTarballMethod, type ArchiveContext, type TarballSettings } from "./tarball";
import { sh, tempDir } from "./test-helpers";

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

function setup(tag: string) {
  const t = tempDir(tag);
  cleanup = t.cleanup;
  const data = path.join(t.dir, "src", "data");
  const repo = path.join(t.dir, "repo");
  mkdirSync(path.join(data, "sub"), { recursive: true });
  mkdirSync(repo);
  writeFileSync(path.join(data, "a.txt"), "alpha v1\n");
  writeFileSync(path.join(data, "sub", "c.txt"), "charlie v1\n");
  writeFileSync(path.join(data, "junk.tmp"), "scratch\n");
  symlinkSync("a.txt", path.join(data, "link-to-a"));
  return { dir: t.dir, data, repo };
}

function ctx(repo: string, day: string, extra: Partial<ArchiveContext> = {}): ArchiveContext & { logs: string[]; errors: string[] } {
  const logs: string[] = [];
  const errors: string[] = [];
  return {
    repository: repo,
    prefix: "h",
    now: parseDay(day),
    permissions: {},
    purgeDuplicates: false,
    callbacks: { onLog: (l) => logs.push(l), onItemError: (p, e) => errors.push(`${p}: ${e.message}`) },
    logs,
    errors,
    ...extra,
  };
}

const settings = (data: string, extra: Partial<TarballSettings> = {}): TarballSettings => ({
  targets: [data],
  nameFormat: "long",
  fileType: "tar.gz",
  blacklist: ["*.tmp"],
  dumpSymlinks: false,
  ...extra,
});

describe("tarball method", () => {
  for (const type of ["tar", "tar.gz", "tar.bz2", "tar.xz", "tar.zst", "zip"] as TarballType[]) {
    it(`writes a ${type} master archive named like backup-manager that the standard tools extract`, async () => {
      const { dir, data, repo } = setup(`tb-${type}`);
      const c = ctx(repo, "20270301");
      const res = await runTarballMethod(c, settings(data, { fileType: type }));
      const name = `h${data.replace(/\//g, "-")}.20270301.master.${type}`;
      expect(res.outputs).toEqual([name]);
      expect(c.errors).toEqual([]);
      const out = path.join(dir, "out");
      mkdirSync(out);
      if (type === "zip") sh(["unzip", "-q", path.join(repo, name), "-d", out]);
      else sh(["tar", "-xf", path.join(repo, name), "-C", out]);
      const restored = path.join(out, data.slice(1));
      expect(readFileSync(path.join(restored, "sub", "c.txt"), "utf8")).toBe("charlie v1\n");
      expect(existsSync(path.join(restored, "junk.tmp"))).toBe(false);
      expect(statSync(path.join(restored, "link-to-a")).isFile()).toBe(true);
      expect(execFileSync("readlink", [path.join(restored, "link-to-a")]).toString().trim()).toBe("a.txt");
      expect((await readSumsFile(path.join(repo, "h-hashes.md5"))).has(name)).toBe(true);
      expect(existsSync(path.join(repo, name + INDEX_SUFFIX))).toBe(type !== "zip");
      expect(readdirSync(repo).filter((n) => n.endsWith(".part"))).toEqual([]);
    });
  }

  it("gives byte-identical tar.gz archives for identical content and links the older one", async () => {
    const { data, repo } = setup("tb-dup");
    execFileSync("touch", ["-h", "-d", "2027-01-01 12:00", ...["a.txt", "sub/c.txt", "sub", "link-to-a", "junk.tmp", "."].map((n) => path.join(data, n))]);
    await runTarballMethod(ctx(repo, "20270301"), settings(data));
    const c2 = ctx(repo, "20270302", { purgeDuplicates: true });
    await runTarballMethod(c2, settings(data));
    const [a, b] = ["20270301", "20270302"].map((d) => path.join(repo, `h${data.replace(/\//g, "-")}.${d}.master.tar.gz`));
    expect(statSync(a).ino).toBe(statSync(b).ino);
    expect(c2.logs.some((l) => l.includes("is a duplicate of"))).toBe(true);
  });

  it("skips a missing target with an error naming it and leaves no archive", async () => {
    const { dir, repo } = setup("tb-missing");
    const c = ctx(repo, "20270301");
    const res = await runTarballMethod(c, settings(path.join(dir, "nope")));
    expect(res.errors).toBe(1);
    expect(c.errors[0]).toContain(`Target "${path.join(dir, "nope")}" does not exist`);
    expect(readdirSync(repo)).toEqual([]);
  });

  it("removes the partial archive when tar fails and names the target and tar's message", async () => {
    const { data, repo } = setup("tb-tarfail");
    const c = ctx(repo, "20270301");
    const res = await runTarballMethod(c, settings(data, { extraOptions: ["--no-such-option"] }));
    expect(res.errors).toBe(1);
    expect(c.errors[0]).toMatch(new RegExp(`Cannot write "h.*\\.20270301\\.master\\.tar\\.gz": tar failed on "${data}" \\(exit \\d+\\): .*no-such-option`));
    expect(readdirSync(repo)).toEqual([]);
  });

  it("gives archives the configured owner and mode", async () => {
    const { data, repo } = setup("tb-owner");
    const nobody = Number(sh(["id", "-u", "nobody"]).trim());
    const nogroup = Number(sh(["getent", "group", "nogroup"]).split(":")[2]);
    await runTarballMethod(ctx(repo, "20270301", { permissions: { archiveMode: 0o660, uid: nobody, gid: nogroup } }), settings(data));
    const st = statSync(path.join(repo, `h${data.replace(/\//g, "-")}.20270301.master.tar.gz`));
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([nobody, nogroup, 0o660]);
  });

  it("uses short names, applies chmod and excludes an absolute blacklisted path only", async () => {
    const { dir, data, repo } = setup("tb-short");
    mkdirSync(path.join(data, "cache"));
    mkdirSync(path.join(data, "sub", "cache"));
    writeFileSync(path.join(data, "sub", "cache", "keep"), "k");
    const c = ctx(repo, "20270301", { permissions: { archiveMode: 0o640 } });
    await runTarballMethod(c, settings(data, { nameFormat: "short", blacklist: [path.join(data, "cache") + "/"] }));
    const file = path.join(repo, "h-data.20270301.master.tar.gz");
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const list = sh(["tar", "-tzf", file]).split("\n");
    expect(list).toContain(`${data.slice(1)}/sub/cache/keep`);
    expect(list).not.toContain(`${data.slice(1)}/cache/`);
    expect(dir).toBeTruthy();
  });
});

describe("tarball-incremental method", () => {
  it("restores the tree of each of 10 simulated days, deletions included, with real GNU tar", async () => {
    const { dir, data, repo } = setup("tb-inc");
    const days = ["20270101", "20270102", "20270103", "20270104", "20270105", "20270106", "20270107", "20270108", "20270109", "20270110"];
    const changes: ((d: string) => void)[] = [
      () => undefined,
      (d) => { writeFileSync(path.join(d, "a.txt"), "alpha v2\n"); writeFileSync(path.join(d, "new.txt"), "new\n"); },
      (d) => rmSync(path.join(d, "new.txt")),
      (d) => writeFileSync(path.join(d, "sub", "c.txt"), "charlie v2\n"),
      () => undefined,
      (d) => { renameSync(path.join(d, "sub"), path.join(d, "sub3")); writeFileSync(path.join(d, "my file.txt"), "spaced\n"); },
      (d) => { rmSync(path.join(d, "sub3"), { recursive: true }); writeFileSync(path.join(d, "b.txt"), "bravo\n"); },
      (d) => { rmSync(path.join(d, "link-to-a")); symlinkSync("b.txt", path.join(d, "link-to-a")); },
      (d) => mkdirSync(path.join(d, "emptydir")),
      (d) => writeFileSync(path.join(d, "a.txt"), "alpha v3\n"),
    ];
    const trees = path.join(dir, "trees");
    mkdirSync(trees);
    const names: string[] = [];
    for (let i = 0; i < days.length; i++) {
      changes[i](data);
      sh(["cp", "-a", data, path.join(trees, days[i])]);
      rmSync(path.join(trees, days[i], "junk.tmp"), { force: true });
      const res = await runTarballMethod(ctx(repo, days[i]), settings(data, { incremental: { frequency: "weekly", value: 1 } }));
      names.push(...res.outputs);
    }
    const prefix = `h${data.replace(/\//g, "-")}`;
    // Fri 01 no snapshot → master; Mon 04 master day; others incremental.
    expect(names.filter((n) => n.includes(".master."))).toEqual([`${prefix}.20270101.master.tar.gz`, `${prefix}.20270104.master.tar.gz`]);
    expect(names).toHaveLength(10);
    expect(existsSync(path.join(repo, `${prefix}.incremental.bin`))).toBe(true);
    for (let i = 0; i < days.length; i++) {
      const masterIdx = names.map((n, j) => (n.includes(".master.") && j <= i ? j : -1)).filter((j) => j >= 0).pop()!;
      const out = path.join(dir, "restore", days[i]);
      mkdirSync(out, { recursive: true });
      for (const n of names.slice(masterIdx, i + 1)) sh(["tar", "--listed-incremental=/dev/null", "-x", "-f", path.join(repo, n), "-C", out]);
      sh(["diff", "-r", "--no-dereference", path.join(trees, days[i]), path.join(out, data.slice(1))]);
    }
  });

  it("re-running on the master day skips and keeps the snapshot (no backup-manager rerun bug)", async () => {
    const { data, repo } = setup("tb-rerun");
    const s = settings(data, { incremental: { frequency: "monthly", value: 1 } });
    await runTarballMethod(ctx(repo, "20270301"), s);
    const c = ctx(repo, "20270301");
    expect((await runTarballMethod(c, s)).outputs).toEqual([]);
    expect(c.logs[c.logs.length - 1]).toMatch(/already exists, skipping\.$/);
    const next = await runTarballMethod(ctx(repo, "20270302"), s);
    expect(next.outputs[0]).toMatch(/\.20270302\.tar\.gz$/);
  });
});
