// The `list` family (§3.1, §3.2): increments, increment sizes, files at a time, changes since a time.
// Each returns data; render* functions print it exactly as rdiff-backup 2.2 does.
import { lstat, readdir } from "node:fs/promises";
import { DATA_DIR, INCREMENTS_DIR, parseIncName, type IncType } from "../format/names";
import { readMetadataAt, collate } from "../format/metadata-chain";
import type { MetaRecord } from "../format/metadata-record";
import { asctime, humanBytes } from "../format/statistics";
import { bpath, showPath } from "../format/fs-path";
import { quoteRelPath, type Quoting } from "../format/quoting";
import { IncrementIndex } from "./increments";
import { restoreTimeFor, type MirrorRepo } from "./repository";
import { isWithin } from "./walk";

/** One line of `list increments`. */
export interface IncrementInfo {
  time: number;
  /** directory | regular | missing | special, as rdiff-backup's parsable output says. */
  type: "directory" | "regular" | "missing" | "special";
  /** Increment file name (or the repository's / path's own name for the mirror). */
  base: string;
}

function kindOf(type: IncType): IncrementInfo["type"] {
  return type === "dir" ? "directory" : type === "diff" ? "regular" : type === "missing" ? "missing" : "regular";
}

async function fileKind(p: Buffer): Promise<IncrementInfo["type"]> {
  const s = await lstat(p).catch(() => null);
  if (!s) return "missing";
  return s.isDirectory() ? "directory" : s.isFile() ? "regular" : "special";
}

/** Increments of the repository root (or of `sub`), plus the mirror as the last element. */
export async function listIncrements(repo: MirrorRepo, sub: Buffer = Buffer.alloc(0)): Promise<IncrementInfo[]> {
  const index = new IncrementIndex(repo.root, repo.state.quoting);
  const incs = await index.of(sub);
  const out: IncrementInfo[] = [];
  for (const i of incs) {
    const name = i.file.subarray(i.file.lastIndexOf(0x2f) + 1);
    const type = i.type === "snapshot" ? await fileKind(i.file) : kindOf(i.type);
    out.push({ time: i.time, type, base: showPath(repo.state.quoting.unquote(name)) });
  }
  const mirror = bpath(repo.root, quoteRelPath(repo.state.quoting, sub));
  const base = sub.length ? showPath(sub.subarray(sub.lastIndexOf(0x2f) + 1)) : repo.root.split("/").pop() ?? "";
  out.push({ time: repo.mirrorTime, type: await fileKind(mirror), base });
  return out.sort((a, b) => a.time - b.time);
}

/** `rdiff-backup list increments` text. */
export function renderIncrements(incs: IncrementInfo[]): string {
  const lines = [`Found ${incs.length - 1} increments:`];
  for (const i of incs.slice(0, -1)) lines.push(`    ${i.base}   ${asctime(i.time)}`);
  lines.push(`Current mirror: ${asctime(incs[incs.length - 1].time)}`);
  return lines.join("\n");
}

/** One row of `list increment-sizes`. */
export interface IncrementSize {
  time: number;
  size: number;
  totalSize: number;
}

async function treeSize(dir: Buffer, skipTop?: string): Promise<number> {
  let total = 0;
  const names = await readdir(dir, { encoding: "buffer" }).catch(() => [] as Buffer[]);
  for (const n of names) {
    if (skipTop && n.toString("latin1") === skipTop) continue;
    const p = bpath(dir, n);
    const s = await lstat(p).catch(() => null);
    if (!s) continue;
    total += s.size;
    if (s.isDirectory()) total += await treeSize(p);
  }
  return total;
}

async function incrementBytesByTime(dir: Buffer, q: Quoting, acc: Map<number, number>): Promise<void> {
  const names = await readdir(dir, { encoding: "buffer" }).catch(() => [] as Buffer[]);
  for (const n of names) {
    const p = bpath(dir, n);
    const s = await lstat(p).catch(() => null);
    if (!s) continue;
    const inc = parseIncName(q.unquote(n));
    if (inc) acc.set(inc.time, (acc.get(inc.time) ?? 0) + s.size);
    if (s.isDirectory()) await incrementBytesByTime(p, q, acc);
  }
}

/** Sizes per increment time and cumulative sizes (mirror + every increment at or after that time). */
export async function listIncrementSizes(repo: MirrorRepo): Promise<IncrementSize[]> {
  const root = Buffer.from(repo.root);
  const rootStat = await lstat(root);
  const mirrorTotal = rootStat.size + (await treeSize(root, DATA_DIR));
  const byTime = new Map<number, number>();
  for (const inc of await new IncrementIndex(repo.root, repo.state.quoting).of(Buffer.alloc(0))) {
    const s = await lstat(inc.file).catch(() => null);
    if (s) byTime.set(inc.time, (byTime.get(inc.time) ?? 0) + s.size);
  }
  await incrementBytesByTime(bpath(root, DATA_DIR, INCREMENTS_DIR), repo.state.quoting, byTime);
  const rows: IncrementSize[] = [{ time: repo.mirrorTime, size: mirrorTotal, totalSize: mirrorTotal }];
  let cumulative = mirrorTotal;
  for (const t of [...byTime.keys()].sort((a, b) => b - a)) {
    cumulative += byTime.get(t)!;
    rows.push({ time: t, size: byTime.get(t)!, totalSize: cumulative });
  }
  return rows.sort((a, b) => a.time - b.time);
}

const center = (s: string, w: number, fill = " ") => {
  const pad = Math.max(0, w - s.length), left = Math.floor(pad / 2);
  return fill.repeat(left) + s + fill.repeat(pad - left);
};

/** `rdiff-backup list increments --size` text. */
export function renderIncrementSizes(rows: IncrementSize[]): string {
  const lines = [
    `${center("Time", 24)} ${center("Size", 17)} ${center("Cumulative size", 17)}`,
    `${"-".repeat(24)} ${"-".repeat(17)} ${"-".repeat(17)}`,
  ];
  rows.forEach((r, i) => {
    const line = `${asctime(r.time).padEnd(24)} ${humanBytes(r.size).padStart(17)} ${humanBytes(r.totalSize).padStart(17)}`;
    lines.push(i === rows.length - 1 ? `${line}  (current mirror)` : line);
  });
  return lines.join("\n");
}

/** Printable form of a metadata path (`.` for the root), as rdiff-backup prints it. */
export function printablePath(p: Buffer): string {
  return p.length ? p.toString("utf8") : ".";
}

/** Records of the paths under `sub` at the session `time` resolves to. */
export async function* filesAt(repo: MirrorRepo, sub: Buffer, time: number): AsyncGenerator<MetaRecord> {
  const rest = restoreTimeFor(repo, time);
  for await (const r of readMetadataAt(repo.root, rest, repo.metadataFiles)) if (isWithin(r.path, sub)) yield r;
}

export type Change = "new" | "deleted" | "changed";

/** rdiff-backup's loose record equality (`RORPath.__eq__`): nlink ignored, inode only for hard links... */
export function sameState(old: MetaRecord, cur: MetaRecord): boolean {
  const skip = new Set<string>(["numHardLinks", "path"]);
  if (old.type !== "reg" || (old.numHardLinks ?? 1) <= 1) skip.add("inode").add("deviceLoc");
  if (old.type !== "reg") skip.add("size");
  if (old.type === "sym") ["uid", "gid", "uname", "gname"].forEach((k) => skip.add(k));
  const o = old as unknown as Record<string, unknown>, c = cur as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (skip.has(k) || v === undefined) continue;
    if (k === "uname" || k === "gname") {
      if (c[k] && c[k] !== v) return false;
      continue;
    }
    const w = c[k];
    if (Buffer.isBuffer(v) ? !(Buffer.isBuffer(w) && v.equals(w)) : JSON.stringify(v) !== JSON.stringify(w)) return false;
  }
  return true;
}

/** Paths under `sub` that differ between the session `since` resolves to and the mirror. */
export async function* changedSince(repo: MirrorRepo, sub: Buffer, since: number): AsyncGenerator<{ change: Change; record: MetaRecord }> {
  const rest = restoreTimeFor(repo, since);
  const old = readMetadataAt(repo.root, rest, repo.metadataFiles);
  const cur = readMetadataAt(repo.root, repo.mirrorTime, repo.metadataFiles);
  for await (const [o, c] of collate([old, cur])) {
    const rec = (o ?? c)!;
    if (!isWithin(rec.path, sub)) continue;
    if (!o) yield { change: "new", record: c! };
    else if (!c) yield { change: "deleted", record: o };
    else if (!sameState(o, c)) yield { change: "changed", record: o };
  }
}
