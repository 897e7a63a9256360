// Test helpers for the read path: describe a directory tree (bytes-exact names, content hashes, modes,
// mtimes, link targets, hard-link groups) so restores can be compared with manifests or with rdiff-backup.
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface TreeEntry {
  path: string;
  type: "reg" | "dir" | "sym" | "other";
  mode?: string;
  mtime?: number;
  size?: number;
  sha1?: string;
  target?: string;
  ino?: number;
}

function join(a: Buffer, b: Buffer): Buffer {
  return a.length ? Buffer.concat([a, Buffer.from("/"), b]) : b;
}

/** Entries of a tree, keyed by relative path (non-UTF-8 names rendered as base64 with a `b64:` prefix). */
export function describeTree(root: string, opts: { withRootMtime?: boolean } = {}): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  const rootB = Buffer.from(root);
  const key = (rel: Buffer) => {
    if (!rel.length) return ".";
    return Buffer.from(rel.toString("utf8")).equals(rel) ? rel.toString("utf8") : `b64:${rel.toString("base64")}`;
  };
  const visit = (rel: Buffer) => {
    const abs = rel.length ? Buffer.concat([rootB, Buffer.from("/"), rel]) : rootB;
    const st = lstatSync(abs);
    const mode = (st.mode & 0o7777).toString(8).padStart(4, "0");
    const k = key(rel);
    if (st.isSymbolicLink()) {
      out.set(k, { path: k, type: "sym", target: readlinkSync(abs, { encoding: "buffer" }).toString("base64") });
    } else if (st.isDirectory()) {
      out.set(k, { path: k, type: "dir", mode, mtime: rel.length || opts.withRootMtime ? Math.floor(st.mtimeMs / 1000) : undefined });
      for (const n of readdirSync(abs, { encoding: "buffer" })) {
        if (!rel.length && n.toString() === "rdiff-backup-data") continue;
        visit(join(rel, n));
      }
    } else if (st.isFile()) {
      const sha1 = createHash("sha1").update(readFileSync(abs)).digest("hex");
      out.set(k, { path: k, type: "reg", mode, mtime: Math.floor(st.mtimeMs / 1000), size: st.size, sha1, ino: st.nlink > 1 ? st.ino : undefined });
    } else {
      out.set(k, { path: k, type: "other", mode });
    }
  };
  visit(Buffer.alloc(0));
  return out;
}

/** Hard-link groups of a described tree, as sorted lists of paths. */
export function hardLinkGroups(tree: Map<string, TreeEntry>): string[][] {
  const byIno = new Map<number, string[]>();
  for (const e of tree.values()) if (e.ino !== undefined) byIno.set(e.ino, [...(byIno.get(e.ino) ?? []), e.path]);
  return [...byIno.values()].map((g) => g.sort()).sort();
}

/** Tree entries without inode numbers (for comparing two trees). */
export function comparable(tree: Map<string, TreeEntry>): TreeEntry[] {
  return [...tree.values()].map(({ ino: _ino, ...rest }) => rest).sort((a, b) => (a.path < b.path ? -1 : 1));
}
