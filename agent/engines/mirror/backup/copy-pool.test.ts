import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { closeCopyPool, copyInWorker, copyPoolRunning, copyPoolUsable, holdCopyPool, incInWorker } from "./copy-pool";
import { createIncFromMirror } from "./increments";
import { closeSync } from "node:fs";
import { SourceReadError } from "./repo-writer";
import { computeSignature } from "../librsync/signature";

const dir = mkdtempSync(path.join(tmpdir(), "strata-copy-pool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fallback that must not be used: the copies below have to be done by the worker thread. */
const notHere = () => {
  throw new Error("copied on the main thread");
};

describe("copy worker", () => {
  it("copies files in the worker thread: same bytes, SHA-1, mode and mtime", async () => {
    expect(copyPoolUsable()).toBe(true);
    const data = Buffer.alloc(300_000, 7);
    data.write("head", 0);
    writeFileSync(path.join(dir, "a"), data);
    writeFileSync(path.join(dir, "b"), "small");
    const [a, b] = await Promise.all([
      copyInWorker(Buffer.from(path.join(dir, "a")), Buffer.from(path.join(dir, "a.out")), false, data.length, { mode: 0o640, mtime: 1_600_000_000 }, notHere),
      copyInWorker(Buffer.from(path.join(dir, "b")), Buffer.from(path.join(dir, "b.out")), false, 5, { mode: 0o600, mtime: 1_500_000_000 }, notHere),
    ]);
    expect(a).toEqual({ bytes: data.length, sha1: createHash("sha1").update(data).digest("hex") });
    expect(b.sha1).toBe(createHash("sha1").update("small").digest("hex"));
    expect(readFileSync(path.join(dir, "a.out")).equals(data)).toBe(true);
    const st = statSync(path.join(dir, "a.out"));
    expect(st.mode & 0o7777).toBe(0o640);
    expect(st.mtimeMs).toBe(1_600_000_000_000);
  });

  it("signs a changed file's new bytes in the worker: the same signature as the main thread's", async () => {
    const data = Buffer.alloc(200_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) >>> 5;
    writeFileSync(path.join(dir, "s"), data);
    const got = await copyInWorker(Buffer.from(path.join(dir, "s")), Buffer.from(path.join(dir, "s.out")), true, data.length, {}, notHere);
    const here = await computeSignature((async function* () { yield data; })(), { fileLength: data.length });
    expect(got.sig).toEqual(here);
    expect(got.sig!.blockCount).toBeGreaterThan(1);
  });

  it("makes a reverse delta increment in the worker: the same bytes and attributes as the main thread's", async () => {
    const old = Buffer.alloc(100_000);
    for (let i = 0; i < old.length; i++) old[i] = (i * 31) >>> 3;
    const now = Buffer.concat([old.subarray(0, 40_000), Buffer.from("inserted"), old.subarray(50_000)]);
    writeFileSync(path.join(dir, "m"), old);
    const sig = await computeSignature((async function* () { yield now; })(), { fileLength: now.length });
    const attrs = { mode: 0o640, mtime: 1_400_000_000 };
    const got = await incInWorker(Buffer.from(path.join(dir, "m")), Buffer.from(path.join(dir, "m.w")), attrs, { sig, gz: true }, notHere);
    const here = createIncFromMirror(Buffer.from(path.join(dir, "m")), Buffer.from(path.join(dir, "m.h")), attrs, { sig, gz: true });
    closeSync(here.fd!);
    expect(got.bytes).toBe(here.bytes);
    expect(got.bytes).toBeLessThan(20_000);
    expect(readFileSync(path.join(dir, "m.w")).equals(readFileSync(path.join(dir, "m.h")))).toBe(true);
    const st = statSync(path.join(dir, "m.w"));
    expect([st.mode & 0o7777, st.mtimeMs]).toEqual([0o640, 1_400_000_000_000]);
  });

  it("a missing source rejects as a source read error with its errno code; nothing is left behind", async () => {
    const dst = Buffer.from(path.join(dir, "gone.out"));
    const err = await copyInWorker(Buffer.from(path.join(dir, "gone")), dst, false, 0, {}, notHere).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceReadError);
    expect(((err as SourceReadError).original as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect(existsSync(dst)).toBe(false);
  });

  it("an existing destination rejects with EEXIST (not a source error) and is not overwritten", async () => {
    writeFileSync(path.join(dir, "c"), "new");
    writeFileSync(path.join(dir, "c.out"), "old");
    const err = await copyInWorker(Buffer.from(path.join(dir, "c")), Buffer.from(path.join(dir, "c.out")), false, 3, {}, notHere).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(SourceReadError);
    expect((err as NodeJS.ErrnoException).code).toBe("EEXIST");
    expect(readFileSync(path.join(dir, "c.out"), "utf8")).toBe("old");
  });

  it("the worker stays up until the last of two users (a session and a restore) releases it", async () => {
    const session = holdCopyPool();
    const restore = holdCopyPool();
    writeFileSync(path.join(dir, "h"), "held");
    expect((await copyInWorker(Buffer.from(path.join(dir, "h")), Buffer.from(path.join(dir, "h.out")), false, 4, {}, notHere)).bytes).toBe(4);
    await restore();
    await restore(); // a second release of the same hold counts once
    expect(copyPoolRunning()).toBe(true);
    await session();
    expect(copyPoolRunning()).toBe(false);
  });

  it("closing the pool stops the worker; the next copy starts a new one", async () => {
    await closeCopyPool();
    writeFileSync(path.join(dir, "d"), "again");
    const got = await copyInWorker(Buffer.from(path.join(dir, "d")), Buffer.from(path.join(dir, "d.out")), false, 5, {}, notHere);
    expect(got.bytes).toBe(5);
    await closeCopyPool();
  });
});
