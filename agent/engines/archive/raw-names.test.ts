// Member names that are not UTF-8 (raw bytes from the file system) survive byte for byte in every archive
// type: checked with real GNU tar and unzip, and read back by Strata (index, extraction, listing, change set).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { ChangeSetEntry } from "@/lib/schemas/change-set";
import { extractMember, listMembers } from "./extract";
import { INDEX_SUFFIX, readIndex } from "./index-format";
import { parseDay, type TarballType } from "./naming";
import { readArchiveVersions } from "./repository-read";
import { runTarballMethod } from "./tarball";
import { tempDir } from "./test-helpers";

let cleanup: () => void = () => undefined;
afterEach(() => cleanup());

const b = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));
/**
 * "café.txt" in latin1 (é = 0xe9: not UTF-8), a folder "d\xf1" holding "x\xfe", and a long name (GNU
 * long-name record). (Not 0xff in a folder name: unzip drops it when creating folders, from Info-ZIP's zip too.)
 */
const LATIN1 = b("caf", [0xe9], ".txt");
const DIR = b("d", [0xf1]);
const NESTED = b("x", [0xfe]);
const LONG = b("l".repeat(120), [0x80, 0x81]);
/** The UTF-8 "café.txt": a different name, which must stay apart from the latin1 one. */
const UTF8 = Buffer.from("café.txt");

const join = (...p: Buffer[]) => Buffer.concat(p.flatMap((x, i) => (i ? [Buffer.from("/"), x] : [x])));

function tree(root: string): { files: Map<string, Buffer>; base: Buffer } {
  const data = path.join(root, "src", "data");
  mkdirSync(data, { recursive: true });
  const base = Buffer.from(data);
  mkdirSync(join(base, DIR));
  const files = new Map<string, Buffer>();
  for (const [rel, body] of [
    [LATIN1, "latin1 name\n"],
    [UTF8, "utf-8 name\n"],
    [join(DIR, NESTED), "nested raw name\n"],
    [LONG, "long raw name\n"],
  ] as const) {
    writeFileSync(join(base, rel), body);
    files.set(rel.toString("hex"), Buffer.from(body));
  }
  return { files, base };
}

/** The member name of a file: its absolute path without the leading "/". */
const member = (base: Buffer, rel: Buffer) => join(base, rel).subarray(1);

const run = (argv: string[]) => execFileSync(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
const lines = (out: Buffer) => {
  const res: Buffer[] = [];
  for (let i = 0; i < out.length; ) {
    let e = out.indexOf(0x0a, i);
    if (e < 0) e = out.length;
    res.push(out.subarray(i, e));
    i = e + 1;
  }
  return res.filter((l) => l.length);
};
const hasLine = (ls: Buffer[], want: Buffer) => ls.some((l) => l.equals(want));

async function read(archive: string, name: string | Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await extractMember(archive, name, new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
  return Buffer.concat(chunks);
}

describe("names that are not UTF-8", () => {
  for (const type of ["tar", "tar.gz", "tar.zst", "zip"] as TarballType[]) {
    it(`keep their bytes in a ${type} archive (GNU tar / unzip), its index, extraction, listing and change set`, async () => {
      const t = tempDir(`raw-${type.replace(".", "")}`);
      cleanup = t.cleanup;
      const { files, base } = tree(t.dir);
      const repo = path.join(t.dir, "repo");
      mkdirSync(repo);
      const changes: ChangeSetEntry[] = [];
      const res = await runTarballMethod(
        { repository: repo, prefix: "h", now: parseDay("20270301"), permissions: {}, purgeDuplicates: false, callbacks: { onChange: (e) => changes.push(e) } },
        { targets: [base.toString()], nameFormat: "long", fileType: type, blacklist: [], dumpSymlinks: false },
      );
      expect(res.errors).toBe(0);
      const archive = path.join(repo, res.outputs[0]);
      const rels = [LATIN1, UTF8, join(DIR, NESTED), LONG];

      // The real tools see the original bytes.
      if (type === "zip") {
        const names = lines(run(["unzip", "-Z1", archive]));
        for (const rel of rels) expect(hasLine(names, member(base, rel)), rel.toString("hex")).toBe(true);
        const out = path.join(t.dir, "unzipped");
        run(["unzip", "-q", archive, "-d", out]);
        const unzipped = join(Buffer.from(out), base.subarray(1));
        for (const rel of rels) expect(readFileSync(join(unzipped, rel)).equals(files.get(rel.toString("hex"))!)).toBe(true);
        // No UTF-8 flag (general purpose bit 11) on the raw names, as Info-ZIP writes them.
        const zip = readFileSync(archive);
        for (const rel of [LATIN1, LONG]) {
          const at = zip.indexOf(member(base, rel));
          expect(at).toBeGreaterThan(30);
          expect(zip.readUInt16LE(at - 30 + 6) & 0x800).toBe(0);
        }
      } else {
        const names = lines(run(["tar", "--quoting-style=literal", "-tf", archive]));
        for (const rel of rels) expect(hasLine(names, member(base, rel)), rel.toString("hex")).toBe(true);
        const out = path.join(t.dir, "untarred");
        mkdirSync(out);
        run(["tar", "-xf", archive, "-C", out]);
        const untarred = join(Buffer.from(out), base.subarray(1));
        expect(readdirSync(untarred, { encoding: "buffer" }).some((n) => n.equals(LATIN1))).toBe(true);
        for (const rel of rels) expect(readFileSync(join(untarred, rel)).equals(files.get(rel.toString("hex"))!)).toBe(true);
        // The index sidecar carries the exact bytes of each raw name.
        const index = (await readIndex(archive))!;
        const raw = index.members.filter((m) => m.nb).map((m) => Buffer.from(m.nb!, "base64").toString("hex"));
        for (const rel of [LATIN1, join(DIR, NESTED), LONG]) expect(raw).toContain(member(base, rel).toString("hex"));
        expect(raw).toContain(Buffer.concat([member(base, DIR), Buffer.from("/")]).toString("hex"));
      }

      // Strata reads each file back by its bytes and by the text `list` shows.
      const listed = await listMembers(archive);
      for (const rel of rels) {
        const name = member(base, rel);
        const body = files.get(rel.toString("hex"))!;
        expect((await read(archive, name)).equals(body), rel.toString("hex")).toBe(true);
        const shown = listed.find((m) => (m.raw ?? Buffer.from(m.name)).equals(name));
        expect(shown, rel.toString("hex")).toBeDefined();
        expect((await read(archive, shown!.name)).equals(body)).toBe(true);
      }
      expect(listed.find((m) => m.raw?.equals(member(base, LATIN1)))!.name).toBe(`${member(base, Buffer.from("caf")).toString()}\\xe9.txt`);

      // The run's change set and the repository's versions name each path by its exact bytes.
      const versions: ChangeSetEntry[] = [];
      for await (const v of readArchiveVersions(repo)) if (!("kind" in v)) versions.push(v);
      for (const list of [changes, versions]) {
        const exact = (e: ChangeSetEntry) => (e.pathBase64 ? Buffer.from(e.pathBase64, "base64") : Buffer.from(e.path));
        for (const rel of [...rels, DIR]) {
          const e = list.find((x) => exact(x).equals(member(base, rel)));
          expect(e, rel.toString("hex")).toBeDefined();
          expect(e!.archive).toBe(res.outputs[0]);
        }
        expect(list.filter((x) => x.pathBase64).length).toBe(4);
      }

      if (type !== "zip") {
        // Without its index (as backup-manager leaves archives) the name is found by a scan, by bytes or text.
        rmSync(archive + INDEX_SUFFIX);
        expect((await read(archive, member(base, join(DIR, NESTED)))).equals(files.get(join(DIR, NESTED).toString("hex"))!)).toBe(true);
        const shown = (await listMembers(archive)).find((m) => m.raw?.equals(member(base, LONG)));
        expect((await read(archive, shown!.name)).equals(files.get(LONG.toString("hex"))!)).toBe(true);
      }
    });
  }
});

describe("a name holding the text \\xHH beside the raw name it reads like", () => {
  it("keeps its own bytes in the repository's versions and the run's change set: no pathBase64, while the raw one has its bytes", async () => {
    const t = tempDir("raw-text");
    cleanup = t.cleanup;
    const data = Buffer.from(path.join(t.dir, "src"));
    const raw = join(Buffer.from("a"), LATIN1);
    const text = Buffer.from("b/caf\\xe9.txt");
    mkdirSync(join(data, Buffer.from("a")), { recursive: true });
    mkdirSync(join(data, Buffer.from("b")));
    writeFileSync(join(data, raw), "raw\n");
    writeFileSync(join(data, text), "text\n");
    const repo = path.join(t.dir, "repo");
    mkdirSync(repo);
    const changes: ChangeSetEntry[] = [];
    const res = await runTarballMethod(
      { repository: repo, prefix: "h", now: parseDay("20270301"), permissions: {}, purgeDuplicates: false, callbacks: { onChange: (e) => changes.push(e) } },
      { targets: [data.toString()], nameFormat: "long", fileType: "tar.gz", blacklist: [], dumpSymlinks: false },
    );
    expect(res.errors).toBe(0);
    const versions: ChangeSetEntry[] = [];
    for await (const v of readArchiveVersions(repo)) if (!("kind" in v)) versions.push(v);
    for (const list of [changes, versions]) {
      // Both show as ".../caf\\xe9.txt": the raw one in folder a, the other in folder b.
      const [r, x] = ["a", "b"].map((dir) => list.find((e) => e.path === `${member(data, Buffer.from(dir))}/caf\\xe9.txt`));
      expect(r?.pathBase64 && Buffer.from(r.pathBase64, "base64").equals(member(data, raw))).toBe(true);
      expect(x).toBeDefined();
      expect(x!.pathBase64).toBeUndefined();
    }
    // Each read back by its own bytes.
    const archive = path.join(repo, res.outputs[0]);
    expect((await read(archive, member(data, raw))).toString()).toBe("raw\n");
    expect((await read(archive, member(data, text))).toString()).toBe("text\n");
  });
});
