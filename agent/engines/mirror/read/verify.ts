// `verify [--at T]`: rebuilds every regular file at a session and checks its SHA1 against the metadata;
// unreadable increments (corrupt deltas) count as failures too.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { EngineCallbacks } from "@/agent/engines/types";
import { showPath } from "../format/fs-path";
import { walkAt } from "./walk";
import { TaskPool } from "./pool";
import type { MirrorRepo } from "./repository";

/** One file that did not verify. */
export interface VerifyProblem {
  path: string;
  kind: "mismatch" | "unreadable" | "no-hash";
  message: string;
}

/** Outcome of a verify run. */
export interface VerifyResult {
  files: number;
  verified: number;
  problems: VerifyProblem[];
}

/** Verifies every regular file of the session `time` resolves to. */
export async function verifyAt(repo: MirrorRepo, time: number, cb: EngineCallbacks = {}): Promise<VerifyResult> {
  const res: VerifyResult = { files: 0, verified: 0, problems: [] };
  const found: Array<[number, VerifyProblem]> = [];
  const groupHash = new Map<string, string>();
  const pool = new TaskPool(8);
  for await (const e of walkAt(repo, Buffer.alloc(0), time)) {
    const r = e.record;
    if (r.type !== "reg") continue;
    const seq = res.files++;
    const name = showPath(e.path);
    const key = (r.numHardLinks ?? 1) > 1 ? `${r.inode}:${r.deviceLoc}` : "";
    if (key && r.sha1) groupHash.set(key, r.sha1);
    const want = r.sha1 ?? (key ? groupHash.get(key) : undefined);
    if (!want) {
      found.push([seq, { path: name, kind: "no-hash", message: `Cannot find SHA1 digest for file "${name}"` }]);
      continue;
    }
    const small = e.directFile && (r.size ?? Infinity) <= SMALL_FILE ? e.directFile : undefined;
    await pool.add(async () => {
      const problem = await checkOne(small ? readSmall(small) : e.open(), name, want);
      if (!problem) res.verified++;
      else {
        found.push([seq, problem]);
        if (problem.kind === "unreadable") cb.onItemError?.(name, new Error(problem.message));
      }
    });
    if (res.files % 200 === 0) cb.onProgress?.({ items: res.files, bytes: 0, currentPath: name });
  }
  await pool.drain();
  res.problems = found.sort((a, b) => a[0] - b[0]).map(([, p]) => p);
  return res;
}

/** Plain small files are read in one synchronous call: far cheaper than a stream per file. */
const SMALL_FILE = 1 << 20;

async function* readSmall(file: Buffer): AsyncGenerator<Buffer> {
  yield readFileSync(file);
}

async function checkOne(data: AsyncIterable<Buffer>, name: string, want: string): Promise<VerifyProblem | null> {
  const h = createHash("sha1");
  try {
    for await (const chunk of data) h.update(chunk);
  } catch (err) {
    return { path: name, kind: "unreadable", message: err instanceof Error ? err.message : String(err) };
  }
  const got = h.digest("hex");
  if (got === want) return null;
  return {
    path: name,
    kind: "mismatch",
    message: `Computed SHA1 digest of file "${name}" '${got}' doesn't match recorded digest of '${want}'`,
  };
}
