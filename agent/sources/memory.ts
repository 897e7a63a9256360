// In-memory Source for tests: a tree built from a plain description, with the same ordering and errors as a disk.
import { Readable } from "node:stream";
import { splitPath, type Source, type SourceEntry, type SourceEntryType } from "./types";

/** Description of one in-memory node; directories hold children by name. */
export type MemoryNode =
  | { type: "file"; data: Buffer | string; mode?: number; mtime?: number; uid?: number; gid?: number; ino?: number }
  | { type: "dir"; children: Record<string, MemoryNode> | Map<Buffer, MemoryNode>; mode?: number; mtime?: number; uid?: number; gid?: number }
  | { type: "symlink"; target: Buffer | string; mtime?: number }
  | { type: "fifo" | "socket"; mode?: number; mtime?: number };

interface Node {
  entry: SourceEntry;
  data?: Buffer;
  target?: Buffer;
  children?: Map<string, Node>; // key: hex of the name bytes
}

/** Builds a Source over an in-memory tree; `ino` on files makes hard links (same ino = same data). */
export function memorySource(root: Extract<MemoryNode, { type: "dir" }>, rootName = "/memory"): Source {
  let nextIno = 1000;
  const inoData = new Map<number, Buffer>();
  const linkCount = new Map<number, number>();
  const build = (name: Buffer, n: MemoryNode): Node => {
    const ino = n.type === "file" && n.ino !== undefined ? n.ino : nextIno++;
    const type: SourceEntryType = n.type;
    const entry: SourceEntry = {
      name,
      type,
      mode: "mode" in n && n.mode !== undefined ? n.mode : n.type === "dir" ? 0o755 : n.type === "symlink" ? 0o777 : 0o644,
      uid: ("uid" in n && n.uid) || 0,
      gid: ("gid" in n && n.gid) || 0,
      size: 0,
      mtime: n.mtime ?? 1_700_000_000,
      ino,
      dev: 1,
      nlink: 1,
    };
    const node: Node = { entry };
    if (n.type === "file") {
      const data = inoData.get(ino) ?? Buffer.from(n.data);
      inoData.set(ino, data);
      linkCount.set(ino, (linkCount.get(ino) ?? 0) + 1);
      node.data = data;
      entry.size = data.length;
    } else if (n.type === "symlink") {
      node.target = Buffer.from(n.target);
    } else if (n.type === "dir") {
      node.children = new Map();
      const kids = n.children instanceof Map ? [...n.children] : Object.entries(n.children).map(([k, v]) => [Buffer.from(k), v] as const);
      for (const [k, v] of kids) node.children.set(Buffer.from(k).toString("hex"), build(Buffer.from(k), v));
    }
    return node;
  };
  const tree = build(Buffer.alloc(0), root);
  const fixLinks = (node: Node): void => {
    if (node.entry.type === "file") node.entry.nlink = linkCount.get(node.entry.ino) ?? 1;
    for (const c of node.children?.values() ?? []) fixLinks(c);
  };
  fixLinks(tree);
  return new MemorySource(Buffer.from(rootName), tree);
}

class MemorySource implements Source {
  constructor(
    readonly root: Buffer,
    private tree: Node,
  ) {}

  private find(path: Buffer): Node {
    let node = this.tree;
    for (const part of splitPath(path)) {
      const next = node.children?.get(part.toString("hex"));
      if (!next) throw errno(node.children ? "ENOENT" : "ENOTDIR", path);
      node = next;
    }
    return node;
  }

  async stat(path: Buffer): Promise<SourceEntry> {
    return { ...this.find(path).entry };
  }

  async list(dir: Buffer): Promise<SourceEntry[]> {
    const node = this.find(dir);
    if (!node.children) throw errno("ENOTDIR", dir);
    return [...node.children.values()].map((c) => ({ ...c.entry })).sort((a, b) => Buffer.compare(a.name, b.name));
  }

  async readlink(path: Buffer): Promise<Buffer> {
    const node = this.find(path);
    if (!node.target) throw errno("EINVAL", path);
    return Buffer.from(node.target);
  }

  async openRead(path: Buffer): Promise<Readable> {
    const node = this.find(path);
    if (node.children) throw errno("EISDIR", path);
    if (!node.data) throw errno("EINVAL", path);
    const data = node.data;
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.length; i += 64 * 1024) chunks.push(data.subarray(i, i + 64 * 1024));
    return Readable.from(chunks, { objectMode: false });
  }

  async close(): Promise<void> {}
}

function errno(code: string, path: Buffer): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: "${path.toString()}"`);
  err.code = code;
  return err;
}

