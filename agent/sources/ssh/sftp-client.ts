// A small SFTP v3 client over an ssh2 "sftp" subsystem channel. ssh2's own SFTP wrapper decodes every file name
// as UTF-8; Unix names are bytes, so this one keeps paths and names as Buffers end to end. Requests are
// multiplexed by id: any number (reads of several files, listings) can be in flight on one channel.
import type { Duplex } from "node:stream";

const T = {
  INIT: 1, VERSION: 2, OPEN: 3, CLOSE: 4, READ: 5, WRITE: 6, LSTAT: 7, SETSTAT: 9, OPENDIR: 11, READDIR: 12,
  REMOVE: 13, MKDIR: 14, STAT: 17, RENAME: 18, READLINK: 19, SYMLINK: 20, STATUS: 101, HANDLE: 102, DATA: 103,
  NAME: 104, ATTRS: 105, EXTENDED: 200, EXTENDED_REPLY: 201,
} as const;

export const OPEN_FLAGS = { READ: 1, WRITE: 2, APPEND: 4, CREAT: 8, TRUNC: 0x10, EXCL: 0x20 } as const;
const ATTR = { SIZE: 1, UIDGID: 2, PERMISSIONS: 4, ACMODTIME: 8, EXTENDED: 0x80000000 } as const;
const STATUS_EOF = 1;
/** Queued request bytes that are written at once, without waiting for the end of the event loop's turn. */
const FLUSH_AT = 256 * 1024;
const STATUS_CODES: Record<number, string> = { 2: "ENOENT", 3: "EACCES", 4: "EIO", 5: "EBADMSG", 6: "ENOTCONN", 7: "ECONNRESET", 8: "ENOTSUP" };

/** SFTP attributes (fields absent when the server did not send them). */
export interface SftpAttrs {
  size?: number;
  uid?: number;
  gid?: number;
  /** st_mode including the file type bits (OpenSSH sends them). */
  mode?: number;
  atime?: number;
  mtime?: number;
}

export interface SftpName {
  filename: Buffer;
  longname: Buffer;
  attrs: SftpAttrs;
}

/** A failed SFTP request: `code` is the errno-like name of the SFTP status (ENOENT, EACCES, EIO...). */
export class SftpError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "SftpError";
  }
}

type Reply = { type: number; body: Buffer };
type Pending = { resolve(r: Reply): void; reject(e: Error): void };

export class SftpClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  /** Received bytes not yet parsed: chunks, joined only once a whole packet is there. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  private closedErr?: Error;
  private versionWaiter?: (r: Reply) => void;
  /** Requests not yet handed to the channel (see send). */
  private outgoing: Buffer[] = [];
  private outgoingLen = 0;
  private flushScheduled = false;
  /** Extensions the server announced (name → data). */
  extensions = new Map<string, string>();

  private constructor(private readonly channel: Duplex) {
    channel.on("data", (d: Buffer) => this.onData(d));
    const lost = (err?: Error) => this.failAll(err ?? new SftpError("ECONNRESET", 7, "SFTP connection lost"));
    channel.on("close", () => lost());
    channel.on("error", (err: Error) => lost(new SftpError("ECONNRESET", 7, `SFTP connection lost: ${err.message}`)));
  }

  /** Runs the INIT/VERSION handshake on a fresh subsystem channel. */
  static async start(channel: Duplex): Promise<SftpClient> {
    const c = new SftpClient(channel);
    const reply = await new Promise<Reply>((resolve, reject) => {
      c.versionWaiter = resolve;
      c.pending.set(0, { resolve, reject });
      const init = Buffer.alloc(9);
      init.writeUInt32BE(5, 0);
      init[4] = T.INIT;
      init.writeUInt32BE(3, 5);
      channel.write(init);
    });
    c.pending.delete(0);
    if (reply.type !== T.VERSION) throw new SftpError("EBADMSG", 5, `SFTP handshake failed: unexpected packet ${reply.type}`);
    const r = new Reader(reply.body);
    r.u32();
    while (!r.done()) c.extensions.set(r.str().toString("latin1"), r.str().toString("latin1"));
    return c;
  }

  get closed(): boolean {
    return this.closedErr !== undefined;
  }

  close(): void {
    this.flush();
    this.channel.end();
    this.failAll(new SftpError("ENOTCONN", 6, "SFTP session closed"));
  }

  private failAll(err: Error): void {
    if (!this.closedErr) this.closedErr = err;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.buffered += d.length;
    while (this.buffered >= 5) {
      let head = this.chunks[0];
      if (head.length < 5) head = this.join();
      const len = head.readUInt32BE(0);
      if (this.buffered < 4 + len) break;
      if (head.length < 4 + len) head = this.join();
      const type = head[4];
      const body = head.subarray(5, 4 + len);
      const rest = head.subarray(4 + len);
      if (rest.length) this.chunks[0] = rest;
      else this.chunks.shift();
      this.buffered -= 4 + len;
      this.dispatch(type, body);
    }
  }

  private join(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }

  private dispatch(type: number, body: Buffer): void {
    if (type === T.VERSION && this.versionWaiter) {
      const w = this.versionWaiter;
      this.versionWaiter = undefined;
      w({ type, body });
      return;
    }
    const id = body.readUInt32BE(0);
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.resolve({ type, body: body.subarray(4) });
  }

  /**
   * Queues bytes for the channel. Requests made in the same turn of the event loop leave in one channel write
   * (one SSH packet where they fit): per packet, ssh2 pays padding, encryption and a socket write, and the
   * server a read and a decryption, which for many small requests (open, read, close of small files) cost more
   * than the requests themselves.
   */
  private send(parts: Buffer[], len: number): void {
    for (const p of parts) this.outgoing.push(p);
    this.outgoingLen += len;
    if (this.outgoingLen >= FLUSH_AT) return this.flush();
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outgoing.length === 0) return;
    const all = this.outgoing.length === 1 ? this.outgoing[0] : Buffer.concat(this.outgoing, this.outgoingLen);
    this.outgoing = [];
    this.outgoingLen = 0;
    if (!this.closedErr) this.channel.write(all);
  }

  private request(type: number, parts: Buffer[], what: string): Promise<Reply> {
    if (this.closedErr) return Promise.reject(this.closedErr);
    const id = this.nextId++ >>> 0;
    if (this.nextId > 0xfffffff0) this.nextId = 1;
    let payloadLen = 5;
    for (const p of parts) payloadLen += p.length;
    const head = Buffer.allocUnsafe(9);
    head.writeUInt32BE(payloadLen, 0);
    head[4] = type;
    head.writeUInt32BE(id, 5);
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (r) => {
          if (r.type === T.STATUS) {
            const rd = new Reader(r.body);
            const status = rd.u32();
            const msg = rd.done() ? "" : rd.str().toString("utf8");
            if (status !== 0 && status !== STATUS_EOF) {
              const code = STATUS_CODES[status] ?? "EIO";
              return reject(new SftpError(code, status, `${what}: ${msg || code}`));
            }
            return resolve({ type: r.type, body: Buffer.from([status]) });
          }
          resolve(r);
        },
        reject,
      });
      this.send([head, ...parts], 4 + payloadLen);
    });
  }

  private static eof(r: Reply): boolean {
    return r.type === T.STATUS && r.body[0] === STATUS_EOF;
  }

  async lstat(path: Buffer): Promise<SftpAttrs> {
    return readAttrs(new Reader((await this.expect(T.ATTRS, T.LSTAT, [str(path)], `lstat ${show(path)}`)).body));
  }

  async stat(path: Buffer): Promise<SftpAttrs> {
    return readAttrs(new Reader((await this.expect(T.ATTRS, T.STAT, [str(path)], `stat ${show(path)}`)).body));
  }

  async readlink(path: Buffer): Promise<Buffer> {
    const r = await this.expect(T.NAME, T.READLINK, [str(path)], `readlink ${show(path)}`);
    const rd = new Reader(r.body);
    rd.u32();
    return Buffer.from(rd.str());
  }

  async realpath(path: Buffer): Promise<Buffer> {
    const r = await this.expect(T.NAME, 16, [str(path)], `realpath ${show(path)}`);
    const rd = new Reader(r.body);
    rd.u32();
    return Buffer.from(rd.str());
  }

  /** Every entry of a directory except "." and "..". */
  async readdir(path: Buffer): Promise<SftpName[]> {
    const what = `list ${show(path)}`;
    const handle = await this.handle(T.OPENDIR, [str(path)], what);
    const out: SftpName[] = [];
    try {
      // Two READDIRs in flight (the server answers them in order; the one after the last batch gets EOF),
      // so a directory of up to one batch (OpenSSH: 100 names) costs one round trip after OPENDIR.
      const ask = () => this.request(T.READDIR, [str(handle)], what);
      const queue = [ask(), ask()];
      queue[1].catch(() => undefined);
      for (;;) {
        const r = await queue.shift()!;
        if (SftpClient.eof(r)) break;
        const next = ask();
        next.catch(() => undefined);
        queue.push(next);
        if (r.type !== T.NAME) throw new SftpError("EBADMSG", 5, `${what}: unexpected reply ${r.type}`);
        const rd = new Reader(r.body);
        const n = rd.u32();
        for (let i = 0; i < n; i++) {
          const filename = Buffer.from(rd.str());
          const longname = Buffer.from(rd.str());
          const attrs = readAttrs(rd);
          if (!isDot(filename)) out.push({ filename, longname, attrs });
        }
      }
    } finally {
      void this.closeHandle(handle).catch(() => undefined); // requests are served in order: no need to wait
    }
    return out;
  }

  async open(path: Buffer, flags: number, attrs: SftpAttrs = {}): Promise<Buffer> {
    return this.handle(T.OPEN, [str(path), u32(flags), writeAttrs(attrs)], `open ${show(path)}`);
  }

  async closeHandle(handle: Buffer): Promise<void> {
    await this.request(T.CLOSE, [str(handle)], "close");
  }

  /** Reads up to `len` bytes at `offset`; null at end of file. */
  async read(handle: Buffer, offset: number, len: number, what = "read"): Promise<Buffer | null> {
    const r = await this.request(T.READ, [str(handle), u64(offset), u32(len)], what);
    if (SftpClient.eof(r)) return null;
    if (r.type !== T.DATA) throw new SftpError("EBADMSG", 5, `${what}: unexpected reply ${r.type}`);
    return new Reader(r.body).str(); // a view of the received packet, no copy
  }

  async write(handle: Buffer, offset: number, data: Buffer, what = "write"): Promise<void> {
    await this.request(T.WRITE, [str(handle), u64(offset), str(data)], what);
  }

  async mkdir(path: Buffer, attrs: SftpAttrs = {}): Promise<void> {
    await this.request(T.MKDIR, [str(path), writeAttrs(attrs)], `mkdir ${show(path)}`);
  }

  async setstat(path: Buffer, attrs: SftpAttrs): Promise<void> {
    await this.request(T.SETSTAT, [str(path), writeAttrs(attrs)], `setstat ${show(path)}`);
  }

  /** setstat that does not follow a symlink (OpenSSH's lsetstat extension). */
  async lsetstat(path: Buffer, attrs: SftpAttrs): Promise<void> {
    if (!this.extensions.has("lsetstat@openssh.com")) throw new SftpError("ENOTSUP", 8, `lsetstat ${show(path)}: the server has no lsetstat`);
    await this.request(T.EXTENDED, [str(Buffer.from("lsetstat@openssh.com")), str(path), writeAttrs(attrs)], `lsetstat ${show(path)}`);
  }

  async remove(path: Buffer): Promise<void> {
    await this.request(T.REMOVE, [str(path)], `remove ${show(path)}`);
  }

  /** Creates `linkPath` pointing at `target` (OpenSSH's argument order: target first). */
  async symlink(target: Buffer, linkPath: Buffer): Promise<void> {
    await this.request(T.SYMLINK, [str(target), str(linkPath)], `symlink ${show(linkPath)}`);
  }

  /** Renames, replacing an existing target when the server has posix-rename (else plain rename). */
  async rename(from: Buffer, to: Buffer): Promise<void> {
    const what = `rename ${show(from)} to ${show(to)}`;
    if (this.extensions.has("posix-rename@openssh.com")) await this.request(T.EXTENDED, [str(Buffer.from("posix-rename@openssh.com")), str(from), str(to)], what);
    else await this.request(T.RENAME, [str(from), str(to)], what);
  }

  /** Plain SFTP rename: OpenSSH refuses it when `to` exists (link + unlink), so nothing is replaced. */
  async renameNoReplace(from: Buffer, to: Buffer): Promise<void> {
    await this.request(T.RENAME, [str(from), str(to)], `rename ${show(from)} to ${show(to)}`);
  }

  private async handle(type: number, parts: Buffer[], what: string): Promise<Buffer> {
    const r = await this.expect(T.HANDLE, type, parts, what);
    return Buffer.from(new Reader(r.body).str());
  }

  private async expect(want: number, type: number, parts: Buffer[], what: string): Promise<Reply> {
    const r = await this.request(type, parts, what);
    if (r.type !== want) throw new SftpError("EBADMSG", 5, `${what}: unexpected reply ${r.type}`);
    return r;
  }
}

class Reader {
  private p = 0;
  constructor(private readonly b: Buffer) {}
  done(): boolean {
    return this.p >= this.b.length;
  }
  u32(): number {
    const v = this.b.readUInt32BE(this.p);
    this.p += 4;
    return v;
  }
  u64(): number {
    const v = Number(this.b.readBigUInt64BE(this.p));
    this.p += 8;
    return v;
  }
  str(): Buffer {
    const n = this.u32();
    const s = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return s;
  }
}

function readAttrs(r: Reader): SftpAttrs {
  const flags = r.u32();
  const a: SftpAttrs = {};
  if (flags & ATTR.SIZE) a.size = r.u64();
  if (flags & ATTR.UIDGID) {
    a.uid = r.u32();
    a.gid = r.u32();
  }
  if (flags & ATTR.PERMISSIONS) a.mode = r.u32();
  if (flags & ATTR.ACMODTIME) {
    a.atime = r.u32();
    a.mtime = r.u32();
  }
  if (flags & ATTR.EXTENDED) {
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      r.str();
      r.str();
    }
  }
  return a;
}

function writeAttrs(a: SftpAttrs): Buffer {
  let flags = 0;
  const parts: Buffer[] = [];
  if (a.size !== undefined) {
    flags |= ATTR.SIZE;
    parts.push(u64(a.size));
  }
  if (a.uid !== undefined && a.gid !== undefined) {
    flags |= ATTR.UIDGID;
    parts.push(u32(a.uid), u32(a.gid));
  }
  if (a.mode !== undefined) {
    flags |= ATTR.PERMISSIONS;
    parts.push(u32(a.mode));
  }
  if (a.mtime !== undefined) {
    flags |= ATTR.ACMODTIME;
    parts.push(u32(a.atime ?? a.mtime), u32(a.mtime));
  }
  return Buffer.concat([u32(flags), ...parts]);
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

function u64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(v), 0);
  return b;
}

function str(s: Buffer): Buffer {
  return Buffer.concat([u32(s.length), s]);
}

function isDot(name: Buffer): boolean {
  return (name.length === 1 && name[0] === 0x2e) || (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e);
}

/** A path for messages (invalid UTF-8 shown with replacement characters). */
export function show(path: Buffer): string {
  return `"${path.toString("utf8")}"`;
}
