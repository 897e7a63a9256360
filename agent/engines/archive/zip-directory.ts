// Random access into zip archives through their own central directory (zip64 included): list entries
// and stream one entry's bytes without reading the rest of the file.
import type { FileHandle } from "node:fs/promises";
import { nameOfBytes } from "./member-name";

/** One zip entry as its central directory describes it. */
export interface ZipEntry {
  /** The name as text (member-name.ts). Without the UTF-8 flag the bytes are taken as the file system's (Info-ZIP on Unix). */
  name: string;
  /** The name's exact bytes when they are not UTF-8. */
  raw?: Buffer;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** Unix mode from the external attributes (0 when not made on Unix). */
  mode: number;
  isDirectory: boolean;
}

async function readAt(fh: FileHandle, pos: number, len: number, counter: { bytesRead: number }): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  counter.bytesRead += bytesRead;
  return buf.subarray(0, bytesRead);
}

const u64 = (b: Buffer, o: number) => Number(b.readBigUInt64LE(o));

/** Reads the central directory of an open zip file. */
export async function readZipDirectory(fh: FileHandle, size: number, counter = { bytesRead: 0 }): Promise<ZipEntry[]> {
  const tailLen = Math.min(size, 65557);
  const tail = await readAt(fh, size - tailLen, tailLen, counter);
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error("no end of central directory record (not a zip file?)");
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const loc = eocd - 20;
  if (loc >= 0 && tail.readUInt32LE(loc) === 0x07064b50) {
    const rec = await readAt(fh, u64(tail, loc + 8), 56, counter);
    count = u64(rec, 32);
    cdSize = u64(rec, 40);
    cdOffset = u64(rec, 48);
  }
  const cd = await readAt(fh, cdOffset, cdSize, counter);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count && p + 46 <= cd.length; i++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error(`corrupt central directory at offset ${cdOffset + p}`);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const name = nameOfBytes(cd.subarray(p + 46, p + 46 + nameLen));
    const e: ZipEntry = {
      name: name.text,
      method: cd.readUInt16LE(p + 10),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
      mode: (cd.readUInt32LE(p + 38) >>> 16) & 0xffff,
      isDirectory: name.text.endsWith("/"),
    };
    if (name.raw) e.raw = name.raw;
    applyZip64(e, cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen));
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function applyZip64(e: ZipEntry, extra: Buffer): void {
  for (let q = 0; q + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(q);
    const len = extra.readUInt16LE(q + 2);
    if (id === 1) {
      let r = q + 4;
      if (e.size === 0xffffffff) (e.size = u64(extra, r)), (r += 8);
      if (e.compressedSize === 0xffffffff) (e.compressedSize = u64(extra, r)), (r += 8);
      if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = u64(extra, r);
    }
    q += 4 + len;
  }
}

/** Offset of an entry's data: after its local header (whose name/extra lengths may differ from the central ones). */
export async function zipDataOffset(fh: FileHandle, e: ZipEntry, counter = { bytesRead: 0 }): Promise<number> {
  const h = await readAt(fh, e.localHeaderOffset, 30, counter);
  if (h.length < 30 || h.readUInt32LE(0) !== 0x04034b50) {
    throw new Error(`corrupt local header of "${e.name}" at offset ${e.localHeaderOffset}`);
  }
  return e.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
}
