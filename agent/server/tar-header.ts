// Tar headers for the data plane's folder streams: ustar, with a PAX extended header before an entry whose
// name or link is not short ASCII or whose numbers do not fit (the rules tar-stream's packer follows).

/** One tar member's header. */
export interface TarHeader {
  name: string;
  type: "file" | "link" | "symlink" | "character-device" | "block-device" | "directory" | "fifo";
  mode: number;
  size?: number;
  mtime: Date;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

const TYPEFLAG: Record<TarHeader["type"], number> = {
  file: 0x30, link: 0x31, symlink: 0x32, "character-device": 0x33, "block-device": 0x34, directory: 0x35, fifo: 0x36,
};

/** Zero bytes that pad an entry's data to a 512-byte boundary. */
export function tarPadding(size: number): number {
  return (512 - (size % 512)) % 512;
}

/** The two zero blocks that end a tar stream. */
export const TAR_END = Buffer.alloc(1024);

const fitsAscii = (s: string, max: number) => s.length <= max && /^[\x01-\x7f]*$/.test(s);

/** Writes `n` as zero-padded octal in `width - 1` digits plus NUL; false when it does not fit. */
function octal(buf: Buffer, off: number, width: number, n: number): boolean {
  const s = Math.max(0, Math.floor(n)).toString(8);
  if (s.length > width - 1) return false;
  buf.write(s.padStart(width - 1, "0"), off, "ascii");
  buf[off + width - 1] = 0;
  return true;
}

function ustar(h: TarHeader, name: string, linkname: string, typeflag: number, size: number, pax: Record<string, string>): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, "utf8");
  octal(b, 100, 8, h.mode & 0o7777);
  if (!octal(b, 108, 8, h.uid ?? 0)) (pax.uid = String(h.uid), octal(b, 108, 8, 0));
  if (!octal(b, 116, 8, h.gid ?? 0)) (pax.gid = String(h.gid), octal(b, 116, 8, 0));
  if (!octal(b, 124, 12, size)) (pax.size = String(size), octal(b, 124, 12, 0));
  const secs = Math.floor(h.mtime.getTime() / 1000);
  if (!octal(b, 136, 12, secs)) (pax.mtime = String(secs), octal(b, 136, 12, 0));
  b[156] = typeflag;
  b.write(linkname, 157, 100, "utf8");
  b.write("ustar\u000000", 257, 8, "latin1");
  if (h.uname) b.write(h.uname, 265, 32, "utf8");
  if (h.gname) b.write(h.gname, 297, 32, "utf8");
  octal(b, 329, 8, h.devmajor ?? 0);
  octal(b, 337, 8, h.devminor ?? 0);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[i];
  b.write(sum.toString(8).padStart(6, "0") + "\u0000 ", 148, 8, "latin1");
  return b;
}

/** What goes into a 100-byte ustar field when the real value is in the PAX header. */
const asciiFallback = (s: string) => s.replace(/[^\x20-\x7e]/g, "_").slice(0, 100);

/** "len key=value\n" records of a PAX header body (the length counts itself). */
function paxBody(records: Record<string, string>): Buffer {
  let out = "";
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`;
    const restLen = Buffer.byteLength(rest);
    let len = restLen + String(restLen).length;
    if (String(len).length !== String(restLen).length) len = restLen + String(len).length;
    out += `${len}${rest}`;
  }
  return Buffer.from(out, "utf8");
}

/** The header blocks of one entry: a PAX header (and its body) when needed, then the ustar header. */
export function encodeTarHeader(h: TarHeader): Buffer {
  const name = h.type === "directory" && !h.name.endsWith("/") ? `${h.name}/` : h.name;
  const linkname = h.linkname ?? "";
  const size = h.type === "file" ? (h.size ?? 0) : 0;
  const pax: Record<string, string> = {};
  if (!fitsAscii(name, 100)) pax.path = name;
  if (!fitsAscii(linkname, 100)) pax.linkpath = linkname;
  const main = ustar(h, pax.path ? asciiFallback(name) : name, pax.linkpath ? asciiFallback(linkname) : linkname, TYPEFLAG[h.type], size, pax);
  if (!Object.keys(pax).length) return main;
  const body = paxBody(pax);
  const paxName = asciiFallback(`PaxHeader/${name}`).slice(0, 99);
  const head = ustar({ name: paxName, type: "file", mode: 0o644, mtime: h.mtime }, paxName, "", 0x78, body.length, {});
  return Buffer.concat([head, body, Buffer.alloc(tarPadding(body.length)), main]);
}
