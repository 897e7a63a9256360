import { execFileSync } from "node:child_process";
import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dumpPipes } from "./pipe";
import { makeDumpContext, sh } from "./test-support";

describe("pipe archives", () => {
  it("stores a command's output under P-NAME.DATE.FILETYPE with the compressor's suffix", async () => {
    const t = await makeDumpContext();
    try {
      const out = await dumpPipes(t.ctx, [
        { name: "numbers", command: ["seq", "1", "200000"], fileType: "txt", compression: "bzip2" },
        { name: "plain", command: ["printf", "a b\\n"], fileType: "txt", compression: "none" },
      ]);
      expect(out.outputs.map((o) => o.name)).toEqual(["bmhost-numbers.20270301.txt.bz2", "bmhost-plain.20270301.txt"]);
      expect(sh(`bzip2 -dc '${out.outputs[0].path}' | md5sum`)).toBe(sh("seq 1 200000 | md5sum"));
      expect(sh(`cat '${out.outputs[1].path}'`)).toBe("a b\n");
    } finally {
      await t.cleanup();
    }
  });

  it("passes argv without a shell: quotes and pipes are literal arguments", async () => {
    const t = await makeDumpContext();
    try {
      const out = await dumpPipes(t.ctx, [{ name: "argv", command: ["echo", "'x'", "|", "$HOME"], fileType: "txt", compression: "gzip" }]);
      expect(sh(`gzip -dc '${out.outputs[0].path}'`)).toBe("'x' | $HOME\n");
    } finally {
      await t.cleanup();
    }
  });

  it("fails a shell pipeline whose first stage fails and leaves no partial archive", async () => {
    const t = await makeDumpContext();
    try {
      await expect(
        dumpPipes(t.ctx, [{ name: "broken", shell: "seq 1 100000; exit 3", fileType: "txt", compression: "gzip" }]),
      ).rejects.toThrow(/Cannot write dump of pipe "broken": bash exited with code 3/);
      await expect(
        dumpPipes(t.ctx, [{ name: "midpipe", shell: "false | cat", fileType: "txt", compression: "xz" }]),
      ).rejects.toThrow(/pipe "midpipe": bash exited with code 1/);
      expect(await readdir(t.repository)).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });

  it("fails when the command cannot start, with no archive left", async () => {
    const t = await makeDumpContext();
    try {
      await expect(
        dumpPipes(t.ctx, [{ name: "ghost", command: ["/nonexistent/tool"], fileType: "bin", compression: "zstd" }]),
      ).rejects.toThrow(/pipe "ghost": \/nonexistent\/tool could not start: .*ENOENT/);
      expect(await readdir(t.repository)).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });

  it("skips only the invalid entry (no index drift) and reports it", async () => {
    const t = await makeDumpContext();
    try {
      const out = await dumpPipes(t.ctx, [
        { name: "nofile", command: ["true"], fileType: "", compression: "none" },
        { name: "after", command: ["echo", "ok"], fileType: "txt", compression: "none" },
      ]);
      expect(out.outputs.map((o) => o.name)).toEqual(["bmhost-after.20270301.txt"]);
      expect(t.itemErrors.map((e) => e.error.message)).toEqual(['Pipe archive "nofile" has no file type']);
    } finally {
      await t.cleanup();
    }
  });

  it("removes the partial archive when the disk fills up and leaves the earlier archive intact", async () => {
    const t = await makeDumpContext();
    const small = path.join(t.repository, "small");
    await mkdir(small);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", small]);
    } catch (err) {
      throw new Error(`This test needs to mount a small tmpfs (root): ${(err as Error).message}`);
    }
    try {
      const ctx = { ...t.ctx, repository: small };
      const first = await dumpPipes(ctx, [{ name: "small", command: ["seq", "1", "1000"], fileType: "txt", compression: "none" }]);
      const before = await readdir(small);
      const earlier = await readFile(first.outputs[0].path);
      await expect(
        dumpPipes(ctx, [{ name: "big", command: ["head", "-c", "2000000", "/dev/urandom"], fileType: "bin", compression: "none" }]),
      ).rejects.toThrow('Cannot write "bmhost-big.20270301.bin": no space left on device');
      expect(await readdir(small)).toEqual(before);
      expect((await readFile(first.outputs[0].path)).equals(earlier)).toBe(true);
    } finally {
      execFileSync("umount", [small]);
      await t.cleanup();
    }
  });

  it("stops the command and leaves nothing when the run is cancelled", async () => {
    const t = await makeDumpContext();
    try {
      const ac = new AbortController();
      const ctx = { ...t.ctx, callbacks: { ...t.ctx.callbacks, signal: ac.signal } };
      const run = dumpPipes(ctx, [{ name: "endless", command: ["yes"], fileType: "txt", compression: "gzip" }]);
      setTimeout(() => ac.abort(), 300);
      await expect(run).rejects.toThrow(/abort|cancel/i);
      expect(await readdir(t.repository)).toEqual([]);
      expect((await t.runner.started[0].cmd.done).signal).toBe("SIGTERM");
    } finally {
      await t.cleanup();
    }
  });
});
