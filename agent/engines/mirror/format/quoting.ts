// Filename quoting of stored names (§1.10): `chars_to_quote` + `special_escapes` in the data dir decide
// how each name component is spelled on the repository's file system (`;` + 3 decimal digits).
import { readFile } from "node:fs/promises";
import path from "node:path";

const QUOTE_CHAR = 0x3b; // ';'

/** How a repository quotes name components; `none` when chars_to_quote is empty or absent. */
export interface Quoting {
  /** Raw regex character-class body (e.g. `A-Z:`), empty for none. */
  charsToQuote: Buffer;
  escapeTrailingSpaces: boolean;
  escapeDosDevices: boolean;
  quote(name: Buffer): Buffer;
  unquote(name: Buffer): Buffer;
  /** True when names are stored as they are (the usual Linux case). */
  readonly identity: boolean;
}

const DOS_DEVICE = /^(aux|prn|con|nul|com[0-9]|lpt[1-9])(\..*)*$/is;

function quoteByte(b: number): string {
  return `;${String(b).padStart(3, "0")}`;
}

/** Builds the quoting of a repository from the contents of its two config files. */
export function makeQuoting(charsToQuote: Buffer, specialEscapes = ""): Quoting {
  const escapeTrailingSpaces = /^escape_trailing_spaces$/m.test(specialEscapes);
  const escapeDosDevices = /^escape_dos_devices$/m.test(specialEscapes);
  const identity = charsToQuote.length === 0 && !escapeTrailingSpaces && !escapeDosDevices;
  // latin1 maps each byte to one UTF-16 unit, so byte-oriented regexes work on the decoded string.
  const re = charsToQuote.length ? new RegExp(`[${charsToQuote.toString("latin1")}]|;`, "gs") : undefined;
  const quote = (name: Buffer): Buffer => {
    if (identity) return name;
    let s = name.toString("latin1");
    if (re) s = s.replace(re, (m) => quoteByte(m.charCodeAt(0)));
    if (escapeTrailingSpaces && (s.endsWith(" ") || s.endsWith("."))) {
      s = s.slice(0, -1) + quoteByte(s.charCodeAt(s.length - 1));
    }
    if (escapeDosDevices && DOS_DEVICE.test(s)) s = quoteByte(s.charCodeAt(0)) + s.slice(1);
    return Buffer.from(s, "latin1");
  };
  const unquote = (name: Buffer): Buffer => {
    if (identity || !name.includes(QUOTE_CHAR)) return name;
    const s = name.toString("latin1").replace(/;([0-9]{3})/g, (m, d: string) => {
      const v = Number(d);
      return v < 256 ? String.fromCharCode(v) : m;
    });
    return Buffer.from(s, "latin1");
  };
  return { charsToQuote, escapeTrailingSpaces, escapeDosDevices, quote, unquote, identity };
}

/** No quoting at all. */
export const NO_QUOTING: Quoting = makeQuoting(Buffer.alloc(0));

/** Reads `chars_to_quote` / `special_escapes` from a data dir; absent files mean no quoting. */
export async function readQuoting(dataDir: string): Promise<Quoting> {
  const ctq = await readFile(path.join(dataDir, "chars_to_quote")).catch(() => Buffer.alloc(0));
  const esc = await readFile(path.join(dataDir, "special_escapes"), "latin1").catch(() => "");
  return makeQuoting(ctq, esc);
}

/** Quotes every `/`-separated component of a raw relative path. */
export function quoteRelPath(q: Quoting, rel: Buffer): Buffer {
  if (q.identity || rel.length === 0) return rel;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= rel.length; i++) {
    if (i === rel.length || rel[i] === 0x2f) {
      if (parts.length) parts.push(Buffer.from("/"));
      parts.push(q.quote(rel.subarray(start, i)));
      start = i + 1;
    }
  }
  return Buffer.concat(parts);
}
