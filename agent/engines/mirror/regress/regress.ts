// Regress (§4.3): returns a repository with two current_mirror markers to its last complete session G.
// Outline: 1. metadata at G as a snapshot (rebuilt from the chain if the failed session U converted it),
// U's data files and G's metadata diff deleted; 2. walk mirror ∪ increments ∪ metadata(G) in path order:
// entries absent at G go, entries not matching G are rebuilt from their increment (labelled G), and every
// increment labelled ≥ G is deleted; directory attributes after their contents; 3. delete U's marker last.
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { MetaRecord } from "../format/metadata-record";
import { listMetadataFiles, readMetadataAt } from "../format/metadata-chain";
import { readMetadataFile, writeMetadataFile } from "../format/metadata-stream";
import { DATA_DIR, dataFileName, listDataFiles, parseIncName } from "../format/names";
import { readQuoting } from "../format/quoting";
import { countWrite } from "../backup/write-hook";
import { syncDir } from "../backup/repo-writer";
import { RegressWalk } from "./regress-walk";
import { timeToString } from "@/lib/timespec";

/** Outcome of a regress. */
export interface RegressResult {
  regressed: boolean;
  /** The session the repository is back at. */
  time?: number;
  /** Paths that could not be rebuilt (named in regress.log). */
  problems: string[];
}

/** Regresses `repo` if its last session failed; a consistent repository is left alone. */
export async function regressRepository(repo: string): Promise<RegressResult> {
  const dataDir = path.join(repo, DATA_DIR);
  const markers = (await listDataFiles(dataDir)).filter((f) => f.prefix === "current_mirror" && f.type === "data");
  if (markers.length < 2) return { regressed: false, time: markers[0]?.time, problems: [] };
  markers.sort((a, b) => a.time - b.time);
  const good = markers[0].time;
  const failed = markers[markers.length - 1];
  const snapshot = await ensureSnapshotAt(repo, dataDir, good);
  await dropNewerDataFiles(dataDir, good, failed.name);
  const walk = new RegressWalk(repo, dataDir, good, await readQuoting(dataDir));
  await walk.run(readMetadataFile(snapshot));
  await dropLongNameIncrements(dataDir, good);
  await syncDir(repo);
  await syncDir(dataDir);
  countWrite();
  for (const m of markers.slice(1)) await fsp.unlink(path.join(dataDir, m.name));
  await fsp.appendFile(
    path.join(dataDir, "regress.log"),
    `NOTE: Strata regressed the repository to session ${timeToString(good)}` +
      (walk.problems.length ? `; could not rebuild: ${walk.problems.join(", ")}` : "") + "\n",
  );
  return { regressed: true, time: good, problems: walk.problems };
}

/** Path of mirror_metadata.<G>.snapshot.gz, rebuilt from the newer snapshot + G's diff when U converted it. */
async function ensureSnapshotAt(repo: string, dataDir: string, good: number): Promise<string> {
  const files = await listMetadataFiles(repo);
  const snap = files.find((f) => f.time === good && f.kind === "snapshot");
  if (snap) return snap.file;
  const target = path.join(dataDir, dataFileName("mirror_metadata", good, "snapshot"));
  const tmp = path.join(dataDir, "rdiff-backup.tmp.regress-snapshot");
  countWrite();
  const written = await writeMetadataFile(tmp, collectAt(repo, good), "always");
  countWrite();
  await fsp.rename(written, `${target}.gz`);
  return `${target}.gz`;
}

async function* collectAt(repo: string, time: number): AsyncGenerator<MetaRecord> {
  yield* readMetadataAt(repo, time);
}

/** Deletes what the failed session wrote in rdiff-backup-data (all but its marker) and G's metadata diff. */
async function dropNewerDataFiles(dataDir: string, good: number, failedMarker: string): Promise<void> {
  for (const f of await listDataFiles(dataDir)) {
    const newer = f.time > good && f.name !== failedMarker && f.prefix !== "current_mirror";
    const gDiff = f.time === good && f.prefix === "mirror_metadata" && f.type === "diff";
    const rootInc = f.time >= good && f.prefix === "increments";
    if (newer || gDiff || rootInc) {
      countWrite();
      await fsp.rm(path.join(dataDir, f.name), { force: true });
    }
  }
  for (const name of await fsp.readdir(dataDir)) {
    if (name.startsWith("rdiff-backup.tmp.")) await fsp.rm(path.join(dataDir, name), { force: true, recursive: true });
  }
}

/** Deletes long-name increments labelled G or later (after the walk used them). */
async function dropLongNameIncrements(dataDir: string, good: number): Promise<void> {
  const longDir = path.join(dataDir, "long_filename_data");
  for (const name of (await fsp.readdir(longDir, { encoding: "buffer" }).catch(() => [])) as Buffer[]) {
    const inc = parseIncName(name);
    if (inc && inc.time >= good) {
      countWrite();
      await fsp.rm(Buffer.concat([Buffer.from(longDir + "/"), name]), { force: true });
    }
  }
}
