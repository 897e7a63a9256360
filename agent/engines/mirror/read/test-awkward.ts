// Test helper: a source tree with awkward names and type changes, evolved over five sessions, for
// repositories written by the real rdiff-backup (names as Buffers; mtimes set explicitly per change).
import { execFileSync } from "node:child_process";
import { chmodSync, linkSync, mkdirSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";

/** Session times of the awkward history (noon UTC, daily from 2024-01-01). */
export const AWKWARD_TIMES = [1, 2, 3, 4, 5].map((k) => 1704067200 + k * 86400 + 43200);

const b = (s: string) => Buffer.from(s);
const NON_UTF8 = Buffer.concat([b("f"), Buffer.from([0xff, 0xfe]), b(".bin")]);
const NON_UTF8_DIR = Buffer.concat([b("dir"), Buffer.from([0xe9])]);
const LONG = b("L".repeat(251) + ".txt");
const DEEP = Array.from({ length: 20 }, (_, i) => `d${String(i + 1).padStart(2, "0")}`).join("/");

function bytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Builds session `k` (1..5) of the awkward tree in `src` (which holds session k-1). */
export function awkwardSession(src: string, k: number): void {
  const mt = AWKWARD_TIMES[k - 1] - 3600;
  const p = (name: Buffer | string) => Buffer.concat([b(src + "/"), typeof name === "string" ? b(name) : name]);
  const put = (name: Buffer | string, data: Buffer | string, mode = 0o644) => {
    writeFileSync(p(name), data, { mode });
    chmodSync(p(name), mode);
    utimesSync(p(name), mt, mt);
  };
  const rm = (name: Buffer | string) => rmSync(p(name), { recursive: true, force: true });
  if (k === 1) {
    mkdirSync(src, { recursive: true });
    put("with space.txt", "space v1\n");
    put("naïve-ü.txt", "utf8 v1\n");
    put(NON_UTF8, "raw v1\n");
    put("colon:name.txt", "colon\n");
    put("back\\slash.txt", "backslash\n");
    put("new\nline.txt", "newline v1\n");
    put("tab\tname.txt", "tab v1\n");
    put("Case.txt", "upper\n");
    put("case.txt", "lower\n");
    put(LONG, "long v1\n");
    mkdirSync(p(DEEP), { recursive: true });
    put(`${DEEP}/leaf.txt`, "deep v1\n");
    symlinkSync("with space.txt", p("link-file"));
    symlinkSync("does/not/exist", p("dangling"));
    put("hard-a", "hard v1\n");
    linkSync(p("hard-a"), p("hard-b"));
    put("empty.txt", "");
    mkdirSync(p("emptydir"));
    put("morph", "morph file v1\n");
    put("big.bin", bytes(200_000, 7));
    put("exec.sh", "#!/bin/sh\necho hi\n", 0o755);
    execFileSync("mkfifo", [p("fifo").toString()]);
    // a fifo with a non-UTF-8 name and a unix socket (made by python: bytes paths, a bound socket stays)
    const py = "import os,socket,sys; d=bytes.fromhex(sys.argv[1]); os.mkfifo(d+b'/fifo\\xff'); socket.socket(socket.AF_UNIX).bind(d+b'/sock')";
    execFileSync("python3", ["-c", py, Buffer.from(src).toString("hex")]);
    mkdirSync(p("sub"));
    put("sub/keep.txt", "keep\n");
  } else if (k === 2) {
    const big = bytes(200_000, 7);
    bytes(100, 9).copy(big, 50_000);
    put("big.bin", big);
    rm("morph");
    mkdirSync(p("morph"));
    put("morph/child.txt", "child\n");
    rm("with space.txt");
    unlinkSync(p("link-file"));
    symlinkSync("case.txt", p("link-file"));
    chmodSync(p("Case.txt"), 0o600);
    put(LONG, "long v2\n");
    unlinkSync(p("hard-b"));
    put("hard-b", "hard b separated\n");
    put(NON_UTF8, "raw v2 longer\n");
    put("new\nline.txt", "newline v2\n");
    put("exec.sh", "#!/bin/sh\necho hi\n", 0o700);
    put("added.txt", "added\n");
  } else if (k === 3) {
    rm("morph");
    symlinkSync("case.txt", p("morph"));
    put(`${DEEP}/leaf.txt`, "deep v3\n");
    rm("emptydir");
    rm("naïve-ü.txt");
    mkdirSync(p(NON_UTF8_DIR));
    put(Buffer.concat([NON_UTF8_DIR, b("/inside.txt")]), "inside\n");
    put("big.bin", Buffer.concat([bytes(200_000, 7).fill(1, 0, 10), bytes(1000, 11)]));
  } else if (k === 5) {
    put("with space.txt", "space v5\n");
    unlinkSync(p("morph"));
    put("morph", "morph file v5\n");
    put("tab\tname.txt", "tab v5\n");
    rm("sub");
    put("sub", "sub is a file\n");
    rm(LONG);
  }
}
