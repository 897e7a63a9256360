// Persistent zstd compressors: one long-running `zstd` process per worker compresses a list of named pipes
// (FIFOs) in turn, one independent frame per pipe; each block is written into the worker's next pipe and
// its frame is cut out of the worker's standard output (unbuffered through `stdbuf -o0`, so a frame is out
// as soon as its pipe is closed). No process per block or batch, no scratch copies of the data.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const SCRATCH = (() => {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return "/dev/shm";
  } catch {
    return os.tmpdir();
  }
})();

const MAGIC = 0xfd2fb528;

/** Runs `stdbuf -o0 zstd "$@"`; at end of file on standard input (a pipe from Node) kills it and removes its pipes. */
const WATCHDOG = 'exec 3<&0; stdbuf -o0 zstd "$@" </dev/null & z=$!; { read -r _ <&3; kill -9 "$z"; rm -rf "$STRATA_ZSTD_PIPES"; } >/dev/null 2>&1 & exec 3<&-; wait "$z"';

/** Pipes per zstd process; a new process takes over when they are used up. */
const PIPES_PER_PROCESS = 512;

interface Pending {
  resolve: (b: Buffer[]) => void;
  reject: (e: Error) => void;
}

/** One `zstd` process and its pipes. */
class Worker {
  private child?: ChildProcess;
  private dir?: string;
  private used = 0;
  private out: Buffer = Buffer.alloc(0);
  private readonly waiting: Pending[] = [];
  private idle: (() => void)[] = [];
  private failed?: Error;
  /** The pipe a write is waiting on or writing into (unblocked when the process stops). */
  private writing?: string;
  /** Serialises writes: zstd opens the pipes one after the other. */
  private tail: Promise<void> = Promise.resolve();
  busy = 0;

  constructor(private readonly level: number) {}

  private start(): void {
    this.stopProcess();
    this.dir = mkdtempSync(path.join(SCRATCH, "strata-zstd-"));
    const pipes = Array.from({ length: PIPES_PER_PROCESS }, (_, i) => path.join(this.dir!, String(i)));
    const mk = spawnSync("mkfifo", ["-m", "600", ...pipes]);
    if (mk.status !== 0) throw new Error(`Cannot create pipes for zstd: ${mk.stderr?.toString().trim() || mk.error?.message}`);
    // zstd waits on the next pipe forever if Node dies: a watchdog reading our stdin kills it at EOF
    // (Node's end of that pipe closes with Node, or when this process is stopped).
    const child = spawn("sh", ["-c", WATCHDOG, "sh", "-q", "-c", `-${this.level}`, "--", ...pipes], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, STRATA_ZSTD_PIPES: this.dir },
    });
    child.stdin!.on("error", () => undefined);
    let err = "";
    child.stderr!.on("data", (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
    child.stdout!.on("data", (b: Buffer) => this.onData(b));
    child.on("error", (e) => this.fail(new Error(`Cannot run "zstd": ${e.message}`, { cause: e })));
    child.on("close", (code, signal) => {
      if (this.child === child && this.waiting.length) this.fail(new Error(`zstd stopped (${signal ?? `exit ${code}`}): ${err.trim() || "no message"}`));
    });
    this.child = child;
    this.used = 0;
    this.out = Buffer.alloc(0);
  }

  /** Output of the current frame so far (chunks), its length, and where its next block header starts. */
  private chunks: Buffer[] = [];
  private have = 0;
  private next = -1;
  private checksum = 0;

  private byteAt(i: number): number {
    for (const c of this.chunks) {
      if (i < c.length) return c[i];
      i -= c.length;
    }
    return 0;
  }

  /** End of the current frame once its last block header was read (-1 before). */
  private frameEnd = -1;

  /** Walks the frame format as bytes arrive (no re-scan, no re-copy) and hands out each complete frame. */
  private onData(b: Buffer): void {
    this.chunks.push(b);
    this.have += b.length;
    for (;;) {
      if (this.frameEnd >= 0) {
        if (this.have < this.frameEnd) return;
        this.emit(this.frameEnd);
        continue;
      }
      if (this.next < 0) {
        if (this.have < 5) return;
        if ((this.byteAt(0) | (this.byteAt(1) << 8) | (this.byteAt(2) << 16) | (this.byteAt(3) << 24)) >>> 0 !== MAGIC) {
          return this.fail(new Error("zstd wrote something that is not a zstd frame"));
        }
        const fhd = this.byteAt(4);
        const single = (fhd >> 5) & 1;
        this.checksum = (fhd >> 2) & 1;
        this.next = 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3] + [single ? 1 : 0, 2, 4, 8][fhd >> 6];
      }
      while (this.frameEnd < 0 && this.next + 3 <= this.have) {
        const h = this.byteAt(this.next) | (this.byteAt(this.next + 1) << 8) | (this.byteAt(this.next + 2) << 16);
        this.next += 3 + (((h >> 1) & 3) === 1 ? 1 : h >>> 3);
        if (h & 1) this.frameEnd = this.next + (this.checksum ? 4 : 0);
      }
      if (this.frameEnd < 0) return;
    }
  }

  /** Hands out the frame's bytes as the chunks they arrived in (no copy); what follows stays for the next frame. */
  private emit(end: number): void {
    const frame: Buffer[] = [];
    let need = end;
    while (need > 0) {
      const c = this.chunks.shift()!;
      if (c.length <= need) {
        frame.push(c);
        need -= c.length;
      } else {
        frame.push(c.subarray(0, need));
        this.chunks.unshift(c.subarray(need));
        need = 0;
      }
    }
    this.have -= end;
    this.next = -1;
    this.frameEnd = -1;
    const w = this.waiting.shift();
    this.busy--;
    if (w) w.resolve(frame);
    if (!this.waiting.length) for (const f of this.idle.splice(0)) f();
  }

  private fail(e: Error): void {
    this.failed = e;
    this.stopProcess();
    for (const w of this.waiting.splice(0)) w.reject(e);
    for (const f of this.idle.splice(0)) f();
  }

  /** Compresses one block (given as consecutive pieces) into one frame (returned as pieces). */
  compress(parts: Buffer[]): Promise<Buffer[]> {
    if (this.failed) return Promise.reject(this.failed);
    this.busy++;
    let pending!: Pending;
    const frame = new Promise<Buffer[]>((resolve, reject) => (pending = { resolve, reject }));
    const write = async () => {
      if (this.failed) throw this.failed;
      if (!this.child || this.used === PIPES_PER_PROCESS) {
        if (this.child) await this.drained();
        this.start();
      }
      // Expected from this process from now on (a failure before this point rejects through the catch below).
      this.waiting.push(pending);
      this.writing = path.join(this.dir!, String(this.used++));
      try {
        const fh = await open(this.writing, "w");
        try {
          let pieces = parts.filter((b) => b.length > 0);
          while (pieces.length) {
            let n = (await fh.writev(pieces)).bytesWritten;
            while (pieces.length && n >= pieces[0].length) n -= pieces.shift()!.length;
            if (n > 0) pieces = [pieces[0].subarray(n), ...pieces.slice(1)];
          }
        } finally {
          await fh.close();
        }
      } finally {
        this.writing = undefined;
      }
    };
    this.tail = this.tail.then(write).catch((e: NodeJS.ErrnoException) => {
      this.fail(e.code === "EPIPE" ? new Error("zstd stopped while a block was being written to it (EPIPE)", { cause: e }) : e);
      pending.reject(this.failed ?? e);
    });
    return frame;
  }

  /** Resolves once every frame asked for so far came out. */
  private drained(): Promise<void> {
    return this.waiting.length ? new Promise((r) => this.idle.push(r)) : Promise.resolve();
  }

  private stopProcess(): void {
    this.child?.stdin?.destroy(); // the watchdog kills zstd
    this.child?.kill("SIGKILL");
    this.child = undefined;
    if (this.writing) {
      // A write blocked opening its pipe (no reader any more): open the reading end once so it fails (EPIPE).
      try {
        closeSync(openSync(this.writing, constants.O_RDONLY | constants.O_NONBLOCK));
      } catch {
        // already gone
      }
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  async close(): Promise<void> {
    if (!this.failed) {
      await this.tail;
      await this.drained();
    }
    this.stopProcess();
  }
}

/** A pool of persistent zstd compressors, one per core by default. */
export class ZstdPool {
  private readonly workers: Worker[];

  constructor(size = os.availableParallelism(), level = 3) {
    this.workers = Array.from({ length: Math.max(1, size) }, () => new Worker(level));
  }

  /** Compresses one block (consecutive pieces) into one independent zstd frame on the least busy worker. */
  compress(parts: Buffer[]): Promise<Buffer[]> {
    const w = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    return w.compress(parts);
  }

  /** Stops every process and removes the pipes (waits for frames still in flight). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
