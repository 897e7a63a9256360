// The zip container, written front to back (APPNOTE 6.3): local headers (with a data descriptor for
// entries streamed in several blocks), Unix modes and UTC times (DOS fields plus the "UT" extra field),
// a central directory kept as packed bytes, and Zip64 records whenever a size, offset or count needs them.

/** One member as the central directory needs it; sizes and CRC are filled in as the data goes out. */
export interface ZipEntry {
  name: Buffer;
  /** st_mode: file type and permission bits. */
  mode: number;
  mtime: Date;
  method: 0 | 8;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
  /** Sizes and CRC follow the data in a data descriptor (the entry went out before they were known). */
  descriptor: boolean;
  /** The local header carries Zip64 sizes (an entry that may reach 4 GiB). */
  zip64: boolean;
}

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

const MAX32 = 0xffffffff;
/** Entries at least this big get Zip64 local headers (room for deflate's worst-case growth below 4 GiB). */
export const ZIP64_FROM = 0xff000000;
const MADE_BY = (3 << 8) | 45; // Unix, zip 4.5
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;

function dosTime(d: Date): { time: number; date: number } {
  const y = d.getUTCFullYear();
  if (!(y >= 1980)) return { time: 0, date: (1 << 5) | 1 };
  if (y > 2107) return { time: (23 << 11) | (59 << 5) | 29, date: (127 << 9) | (12 << 5) | 31 };
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((y - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** The "UT" extended timestamp extra field: modification time in Unix seconds. */
function utExtra(mtime: Date): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt16LE(0x5455, 0);
  b.writeUInt16LE(5, 2);
  b[4] = 1;
  b.writeInt32LE(Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.floor(mtime.getTime() / 1000))), 5);
  return b;
}

function zip64Extra(values: number[]): Buffer {
  if (!values.length) return Buffer.alloc(0);
  const b = Buffer.alloc(4 + 8 * values.length);
  b.writeUInt16LE(0x0001, 0);
  b.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return b;
}

const isAscii = (b: Buffer) => b.every((c) => c < 0x80);
const flags = (e: ZipEntry) => (e.descriptor ? FLAG_DESCRIPTOR : 0) | (isAscii(e.name) ? 0 : FLAG_UTF8);

/** The local file header (sizes and CRC zero when a data descriptor follows). */
export function localHeader(e: ZipEntry): Buffer {
  const extra = Buffer.concat([e.zip64 ? zip64Extra([e.descriptor ? 0 : e.usize, e.descriptor ? 0 : e.csize]) : Buffer.alloc(0), utExtra(e.mtime)]);
  const b = Buffer.alloc(30);
  const { time, date } = dosTime(e.mtime);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(e.zip64 ? 45 : 20, 4);
  b.writeUInt16LE(flags(e), 6);
  b.writeUInt16LE(e.method, 8);
  b.writeUInt16LE(time, 10);
  b.writeUInt16LE(date, 12);
  b.writeUInt32LE(e.descriptor ? 0 : e.crc, 14);
  b.writeUInt32LE(e.zip64 ? MAX32 : e.descriptor ? 0 : e.csize, 18);
  b.writeUInt32LE(e.zip64 ? MAX32 : e.descriptor ? 0 : e.usize, 22);
  b.writeUInt16LE(e.name.length, 26);
  b.writeUInt16LE(extra.length, 28);
  return Buffer.concat([b, e.name, extra]);
}

/** The data descriptor after a streamed entry's data (8-byte sizes when its local header is Zip64). */
export function dataDescriptor(e: ZipEntry): Buffer {
  const b = Buffer.alloc(e.zip64 ? 24 : 16);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(e.crc, 4);
  if (e.zip64) {
    b.writeBigUInt64LE(BigInt(e.csize), 8);
    b.writeBigUInt64LE(BigInt(e.usize), 16);
  } else {
    b.writeUInt32LE(e.csize, 8);
    b.writeUInt32LE(e.usize, 12);
  }
  return b;
}

/** The entry's central directory header. */
export function centralHeader(e: ZipEntry): Buffer {
  const big = [e.usize, e.csize, e.offset].map((v) => v >= MAX32);
  const z64 = zip64Extra([e.usize, e.csize, e.offset].filter((_, i) => big[i]));
  const extra = Buffer.concat([z64, utExtra(e.mtime)]);
  const b = Buffer.alloc(46);
  const { time, date } = dosTime(e.mtime);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(MADE_BY, 4);
  b.writeUInt16LE(z64.length || e.zip64 ? 45 : 20, 6);
  b.writeUInt16LE(flags(e), 8);
  b.writeUInt16LE(e.method, 10);
  b.writeUInt16LE(time, 12);
  b.writeUInt16LE(date, 14);
  b.writeUInt32LE(e.crc, 16);
  b.writeUInt32LE(big[1] ? MAX32 : e.csize, 20);
  b.writeUInt32LE(big[0] ? MAX32 : e.usize, 24);
  b.writeUInt16LE(e.name.length, 28);
  b.writeUInt16LE(extra.length, 30);
  b.writeUInt32LE((((e.mode & 0xffff) << 16) | ((e.mode & 0o170000) === S_IFDIR ? 0x10 : 0)) >>> 0, 38);
  b.writeUInt32LE(big[2] ? MAX32 : e.offset, 42);
  return Buffer.concat([b, e.name, extra]);
}

/** End of the central directory (with the Zip64 end record and locator when counts or offsets need them). */
export function endOfCentralDirectory(count: number, cdOffset: number, cdSize: number): Buffer {
  const z64 = count >= 0xffff || cdOffset >= MAX32 || cdSize >= MAX32;
  const parts: Buffer[] = [];
  if (z64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(MADE_BY, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(count), 24);
    rec.writeBigUInt64LE(BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    loc.writeUInt32LE(1, 16);
    parts.push(rec, loc);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, 0xffff), 8);
  end.writeUInt16LE(Math.min(count, 0xffff), 10);
  end.writeUInt32LE(Math.min(cdSize, MAX32), 12);
  end.writeUInt32LE(Math.min(cdOffset, MAX32), 16);
  parts.push(end);
  return Buffer.concat(parts);
}
