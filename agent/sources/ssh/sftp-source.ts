// Source over SFTP: a directory on an SSH host read through one session, with Buffer paths (non-UTF-8 names
// survive), owner names from the listing, pipelined reads so several files are in flight at once, and small
// files read ahead of an in-order reader (read-ahead.ts).
// SFTP v3 has no inode numbers: files with more than one link get theirs from `stat` over an exec channel
// (hosts without a shell keep their hard links as separate files).
import { Readable } from "node:stream";
import type ssh2 from "ssh2";
import { AgentError } from "@/agent/errors";
import { childPath, type Source, type SourceEntry, type SourceEntryType } from "../types";
import { ReadAhead, walkKey } from "./read-ahead";
import { SftpClient, SftpError, show, type SftpAttrs } from "./sftp-client";

/** Listings fetched ahead of the walk (the host lists one directory at a time; keep it busy). */
const PREFETCH = 256;
/** Entries held in prefetched listings the walk has not taken yet, above which no more listings start. */
const PREFETCH_ENTRIES = 100_000;

/** Bytes per READ request, and requests in flight per open file. */
const READ_CHUNK = 64 * 1024;
const READS_IN_FLIGHT = 8;

/** Opens an SFTP session on an authenticated client. */
export async function startSftp(client: ssh2.Client): Promise<SftpClient> {
  const channel = await new Promise<ssh2.ClientChannel>((resolve, reject) =>
    client.subsys("sftp", (err, ch) => (err ? reject(new AgentError("fatal", `The host refused the SFTP subsystem: ${err.message}`, { cause: err })) : resolve(ch))),
  );
  return SftpClient.start(channel);
}

/** Opens `rootPath` on the host as a Source; `label` names the host in messages. Closes `client` with the source. */
export async function openSftpSource(client: ssh2.Client, rootPath: string, label: string): Promise<Source> {
  const sftp = await startSftp(client);
  const root = Buffer.from(rootPath.length > 1 ? rootPath.replace(/\/+$/, "") : rootPath);
  let real: Buffer;
  let attrs: SftpAttrs;
  try {
    real = await sftp.realpath(root);
    attrs = await sftp.stat(real);
  } catch (err) {
    sftp.close();
    client.end();
    throw new AgentError("fatal", `Cannot open source "${rootPath}" on ${label}: ${describe(err)}`, { cause: err });
  }
  if (typeOf(attrs.mode ?? 0) !== "dir") {
    sftp.close();
    client.end();
    throw new AgentError("fatal", `Cannot open source "${rootPath}" on ${label}: not a directory`);
  }
  return new SftpSource(root, real, sftp, client);
}

class SftpSource implements Source {
  private inodes: InodeLookup;
  private readAhead: ReadAhead;
  constructor(
    readonly root: Buffer,
    private readonly real: Buffer,
    private readonly sftp: SftpClient,
    private readonly client: ssh2.Client,
  ) {
    this.inodes = new InodeLookup(client);
    this.readAhead = new ReadAhead(sftp, (p) => this.abs(p));
  }

  private abs(path: Buffer): Buffer {
    if (path.length === 0) return this.real;
    return this.real.length === 1 ? Buffer.concat([this.real, path]) : Buffer.concat([this.real, Buffer.from("/"), path]);
  }

  async stat(path: Buffer): Promise<SourceEntry> {
    const abs = this.abs(path);
    const e = toEntry(Buffer.from(path.length ? path.subarray(path.lastIndexOf(0x2f) + 1) : Buffer.alloc(0)), await this.sftp.lstat(abs));
    if (e.type === "file") await this.inodes.fill([[abs, e]], true);
    return e;
  }

  /** Listings started ahead of the walk (in flight or done), by walk-order key (see walkKey). */
  private prefetched = new Map<string, Promise<SourceEntry[]>>();
  /** Entry counts of the prefetched listings that arrived, and their sum. */
  private arrived = new Map<string, number>();
  private arrivedEntries = 0;
  /** Directories known and not listed yet, by walk key, sorted last-first (the next one is at the end). */
  private frontier: Array<{ key: string; path: Buffer }> = [];
  /** Walk key of the directory the walk listed last. */
  private walkPos = "";

  /**
   * Lists `dir`. Listings run ahead of the walk (depth first, sorted): the PREFETCH directories it will ask for
   * next, among those known, are listed in the background, and each listing that arrives makes its
   * subdirectories known, so a tree of small directories costs a few round trips, not two per directory.
   * Listings the walk has passed without asking (excluded directories) are dropped.
   */
  async list(dir: Buffer): Promise<SourceEntry[]> {
    const key = walkKey(dir);
    this.walkPos = key;
    const ahead = this.prefetched.get(key);
    // A prefetched listing that already arrived was learned then (see refill).
    const learned = this.arrived.has(key);
    for (const k of this.prefetched.keys()) if (k <= key) this.forget(k);
    while (this.frontier.length > 0 && this.frontier[this.frontier.length - 1].key <= key) this.frontier.pop();
    const out = await (ahead ?? this.listNow(dir));
    if (!learned) this.learn(dir, out);
    this.refill();
    return out;
  }

  /** Adds the subdirectories of a listing to the frontier. */
  private learn(dir: Buffer, entries: SourceEntry[]): void {
    for (const e of entries) {
      if (e.type !== "dir") continue;
      const path = childPath(dir, e.name);
      const key = walkKey(path);
      if (key <= this.walkPos || this.prefetched.has(key)) continue;
      let lo = 0;
      let hi = this.frontier.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.frontier[mid].key > key) lo = mid + 1;
        else hi = mid;
      }
      if (this.frontier[lo]?.key !== key) this.frontier.splice(lo, 0, { key, path });
    }
  }

  private forget(key: string): void {
    this.prefetched.delete(key);
    this.arrivedEntries -= this.arrived.get(key) ?? 0;
    this.arrived.delete(key);
  }

  /** Starts listings of the next known directories in walk order, up to PREFETCH (and PREFETCH_ENTRIES) ahead. */
  private refill(): void {
    while (this.prefetched.size < PREFETCH && this.arrivedEntries < PREFETCH_ENTRIES && this.frontier.length > 0) {
      const { key, path } = this.frontier.pop()!;
      if (key <= this.walkPos) continue;
      const p = this.listNow(path).then((sub) => {
        if (this.prefetched.get(key) === p) {
          this.arrived.set(key, sub.length);
          this.arrivedEntries += sub.length;
          this.learn(path, sub);
        } // else the walk took it and learns it
        this.refill();
        return sub;
      });
      p.catch(() => undefined); // the walk sees the error when it asks
      this.prefetched.set(key, p);
    }
  }

  private async listNow(dir: Buffer): Promise<SourceEntry[]> {
    const names = await this.sftp.readdir(this.abs(dir));
    const out: SourceEntry[] = [];
    const linked: Array<[Buffer, SourceEntry]> = [];
    for (const n of names) {
      const e = toEntry(n.filename, n.attrs);
      const long = parseLongname(n.longname);
      if (long) {
        if (long.user !== String(e.uid)) e.uname = long.user;
        if (long.group !== String(e.gid)) e.gname = long.group;
        if (e.type === "file" && long.nlink > 1) linked.push([this.abs(childPath(dir, n.filename)), e]);
      }
      out.push(e);
    }
    if (linked.length) await this.inodes.fill(linked, false);
    out.sort((a, b) => Buffer.compare(a.name, b.name));
    this.readAhead.listed(dir, out.filter((e) => e.type === "file"));
    return out;
  }

  async readlink(path: Buffer): Promise<Buffer> {
    return this.sftp.readlink(this.abs(path));
  }

  async openRead(path: Buffer, sizeHint?: number): Promise<Readable> {
    const early = await this.readAhead.take(path).catch(() => null);
    if (early) {
      const r = new Readable({ read() {} });
      if (early.length > 0) r.push(early);
      r.push(null);
      return r;
    }
    const abs = this.abs(path);
    const handle = await this.sftp.open(abs, 1);
    return new SftpReadStream(this.sftp, handle, `read ${show(abs)}`, sizeHint);
  }

  async close(): Promise<void> {
    this.sftp.close();
    this.client.end();
  }
}

/** A file's bytes through pipelined READ requests, emitted in offset order (short reads are re-requested). */
export class SftpReadStream extends Readable {
  private queue: Array<{ offset: number; len: number; data: Promise<Buffer | null> }> = [];
  private next = 0;
  private eof = false;
  private pumping = false;
  private handleClosed = false;

  constructor(
    private readonly sftp: SftpClient,
    private readonly handle: Buffer,
    private readonly what: string,
    private sizeHint?: number,
  ) {
    super({ highWaterMark: READ_CHUNK * 2 });
  }

  private request(offset: number, len: number, front = false) {
    const data = this.sftp.read(this.handle, offset, len, this.what);
    data.catch(() => undefined); // observed when it reaches the head
    const r = { offset, len, data };
    if (front) this.queue.unshift(r);
    else this.queue.push(r);
  }

  private fill(): void {
    // With the listed size, one request ends exactly at it and one more probes for EOF, both in flight at once
    // (a small file costs one round trip); a file that turns out longer is read on to its real end.
    while (!this.eof && this.queue.length < READS_IN_FLIGHT && !(this.sizeHint !== undefined && this.next > this.sizeHint)) {
      const len = this.sizeHint !== undefined && this.next < this.sizeHint ? Math.min(READ_CHUNK, this.sizeHint - this.next) : READ_CHUNK;
      this.request(this.next, len);
      this.next += len;
    }
  }

  override _read(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        this.fill();
        const head = this.queue.shift();
        if (!head) {
          void this.finish();
          this.push(null);
          return;
        }
        const data = await head.data;
        if (this.destroyed) return;
        if (data === null || data.length === 0) {
          this.eof = true;
          this.queue.length = 0;
          continue;
        }
        if (data.length < head.len) this.request(head.offset + data.length, head.len - data.length, true);
        if (this.sizeHint !== undefined && head.offset + data.length > this.sizeHint) this.sizeHint = undefined; // grew: read to EOF
        if (!this.push(data)) {
          this.pumping = false;
          return;
        }
      }
    } catch (err) {
      this.destroy(err as Error);
    }
  }

  private async finish(): Promise<void> {
    if (this.handleClosed) return;
    this.handleClosed = true;
    await this.sftp.closeHandle(this.handle).catch(() => undefined);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    void this.finish().then(() => cb(err));
  }
}

/** Inode, device and link count of files by path, from `stat` on the host (one exec per batch). */
class InodeLookup {
  private unavailable = false;
  constructor(private readonly client: ssh2.Client) {}

  /** Sets ino/dev/nlink of each entry; without a shell on the host, nlink stays 1 (no hard-link grouping). */
  async fill(items: Array<[Buffer, SourceEntry]>, single: boolean): Promise<void> {
    const found = this.unavailable ? new Map() : await this.lookup(items.map(([p]) => p)).catch(() => ((this.unavailable = true), new Map()));
    for (const [p, e] of items) {
      const r = found.get(p.toString("latin1"));
      if (r) Object.assign(e, r);
      else if (!single) e.nlink = 1;
    }
  }

  private lookup(paths: Buffer[]): Promise<Map<string, { ino: number; dev: number; nlink: number }>> {
    return new Promise((resolve, reject) => {
      this.client.exec("LC_ALL=C xargs -0 stat --printf '%i %d %h %n\\0' --", (err, ch) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        let code: number | null = null;
        ch.on("data", (d: Buffer) => chunks.push(d));
        ch.stderr.resume();
        ch.on("exit", (c: number | null) => (code = c));
        ch.on("close", () => {
          if (code === 126 || code === 127) return reject(new Error("stat is not available on the host"));
          const out = new Map<string, { ino: number; dev: number; nlink: number }>();
          for (const rec of splitNul(Buffer.concat(chunks))) {
            const m = /^(\d+) (\d+) (\d+) /.exec(rec.subarray(0, 64).toString("latin1"));
            if (!m) continue;
            out.set(rec.subarray(m[0].length).toString("latin1"), { ino: Number(m[1]), dev: Number(m[2]), nlink: Number(m[3]) });
          }
          resolve(out);
        });
        ch.end(Buffer.concat(paths.flatMap((p) => [p, Buffer.from([0])])));
      });
    });
  }
}

function splitNul(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = b.indexOf(0); i !== -1; i = b.indexOf(0, start)) {
    out.push(b.subarray(start, i));
    start = i + 1;
  }
  return out;
}

/** nlink, user and group of an `ls -l`-style SFTP long name ("-rw-r--r--    2 alice staff  3 Jan 1 00:00 name"). */
export function parseLongname(long: Buffer): { nlink: number; user: string; group: string } | null {
  const m = /^\S{10}\S?\s+(\d+)\s+(\S+)\s+(\S+)\s/.exec(long.subarray(0, 200).toString("utf8"));
  return m ? { nlink: Number(m[1]), user: m[2], group: m[3] } : null;
}

export function typeOf(mode: number): SourceEntryType {
  switch (mode & 0o170000) {
    case 0o040000:
      return "dir";
    case 0o120000:
      return "symlink";
    case 0o010000:
      return "fifo";
    case 0o140000:
      return "socket";
    case 0o020000:
      return "chardev";
    case 0o060000:
      return "blockdev";
    default:
      return "file";
  }
}

function toEntry(name: Buffer, a: SftpAttrs): SourceEntry {
  const type = typeOf(a.mode ?? 0o100000);
  return {
    name,
    type,
    mode: (a.mode ?? 0) & 0o7777,
    uid: a.uid ?? 0,
    gid: a.gid ?? 0,
    size: type === "file" ? (a.size ?? 0) : 0,
    mtime: a.mtime ?? 0,
    ino: 0,
    dev: 0,
    nlink: 1,
  };
}

/** A short reason for an SFTP failure. */
export function describe(err: unknown): string {
  if (err instanceof SftpError) {
    if (err.code === "ENOENT") return "no such file or directory";
    if (err.code === "EACCES") return "permission denied";
  }
  return err instanceof Error ? err.message : String(err);
}
