// Test helper: writes a MemoryNode description to a real directory (same tree for both Source implementations).
import { execFileSync } from "node:child_process";
import { promises as fsp } from "node:fs";
import type { MemoryNode } from "./memory";

/** Creates the described tree under `dir` (which must not exist yet); files sharing `ino` become hard links. */
export async function materialize(dir: Buffer | string, node: Extract<MemoryNode, { type: "dir" }>): Promise<void> {
  const links = new Map<number, Buffer>();
  const dirs: Array<{ path: Buffer; mode: number; mtime: number }> = [];
  const walk = async (path: Buffer, n: MemoryNode): Promise<void> => {
    if (n.type === "dir") {
      await fsp.mkdir(path);
      const kids = n.children instanceof Map ? [...n.children] : Object.entries(n.children).map(([k, v]) => [Buffer.from(k), v] as const);
      for (const [k, v] of kids) await walk(Buffer.concat([path, Buffer.from("/"), Buffer.from(k)]), v);
      dirs.push({ path, mode: n.mode ?? 0o755, mtime: n.mtime ?? 1_700_000_000 });
      return;
    }
    if (n.type === "file") {
      const first = n.ino !== undefined ? links.get(n.ino) : undefined;
      if (first) return fsp.link(first, path);
      if (n.ino !== undefined) links.set(n.ino, path);
      await fsp.writeFile(path, n.data);
      await fsp.chmod(path, n.mode ?? 0o644);
      await fsp.utimes(path, n.mtime ?? 1_700_000_000, n.mtime ?? 1_700_000_000);
      return;
    }
    if (n.type === "symlink") {
      await fsp.symlink(Buffer.from(n.target) as unknown as string, path);
      await fsp.lutimes(path, n.mtime ?? 1_700_000_000, n.mtime ?? 1_700_000_000);
      return;
    }
    if (n.type === "fifo") {
      execFileSync("mkfifo", [path.toString("latin1")]);
      return;
    }
    throw new Error(`Cannot materialize "${path.toString()}": ${n.type} is not supported`);
  };
  await walk(Buffer.from(dir), node);
  for (const d of dirs.reverse()) {
    await fsp.chmod(d.path, d.mode);
    await fsp.utimes(d.path, d.mtime, d.mtime);
  }
}
