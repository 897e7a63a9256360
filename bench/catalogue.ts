// Catalogue benchmark on the real PostgreSQL (DATABASE_URL or 127.0.0.1:5432): ingest of a 1,000,000-entry
// initial change set and of 10,000-change increments, directory listing of a 10,000-entry folder at any depth
// of 100 increments, file history of 100 versions, search over every version; the real rdiff-backup reads
// a repository of the same folder shape as the peer. Prints one Markdown table. Usage: bench/README.md.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChangeSetEntry } from "@/lib/schemas/change-set";
import type { Caller } from "@/lib/auth/caller";
import { table } from "./measure";
import { buildAgent } from "../scripts/build-agent";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const T0 = 1767225600; // 2026-01-01T00:00:00Z; increment k at T0 + k hours
const HOUR = 3600;
const WORDS = ["report", "invoice", "photo", "notes", "backup", "draft", "scan", "budget", "minutes", "letter", "plan", "data"];
const EXTS = ["txt", "pdf", "jpg", "md", "csv", "odt", "png", "log"];

interface Options {
  scale: number;
  increments: number;
  samples: number;
  peer: boolean;
  keep: boolean;
  work: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { scale: 1, increments: 100, samples: 40, peer: true, keep: false, work: path.join(tmpdir(), "strata-bench-catalogue") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === "--scale") o.scale = Number(v());
    else if (a === "--increments") o.increments = Number(v());
    else if (a === "--samples") o.samples = Number(v());
    else if (a === "--no-peer") o.peer = false;
    else if (a === "--keep") o.keep = true;
    else if (a === "--work") o.work = path.resolve(v());
    else throw new Error(`Unknown option "${a}" (see bench/README.md)`);
  }
  if (!(o.scale > 0 && o.scale <= 1)) throw new Error(`Option "--scale" needs a number in (0, 1]`);
  if (!(Number.isInteger(o.increments) && o.increments >= 3)) throw new Error(`Option "--increments" needs an integer ≥ 3`);
  return o;
}

/** Shape of the generated repository at a scale: DIRS folders of DIR_SIZE files; "d000" is the big folder. */
function shape(scale: number) {
  const dirSize = Math.max(100, Math.round(10_000 * scale));
  const dirs = Math.max(2, Math.round(1_000_000 * scale / dirSize));
  return { dirSize, dirs, initial: dirs * dirSize, changes: Math.max(100, Math.round(10_000 * scale)) };
}

const pad = (n: number, w: number) => String(n).padStart(w, "0");
const fileName = (i: number) => `f${pad(i, 5)}-${WORDS[i % WORDS.length]}.${EXTS[(i * 7) % EXTS.length]}`;
const dirName = (d: number) => `d${pad(d, 3)}`;
/** The one file that changes in every increment (history of increments + 1 versions). */
const HOT = `d000/${fileName(0)}`;

function* initialEntries(s: ReturnType<typeof shape>): Generator<ChangeSetEntry> {
  yield { v: 1, change: "new", path: "", type: "dir", mtime: T0 };
  for (let d = 0; d < s.dirs; d++) {
    yield { v: 1, change: "new", path: dirName(d), type: "dir", mtime: T0, mode: 0o755 };
    for (let i = 0; i < s.dirSize; i++) {
      yield { v: 1, change: "new", path: `${dirName(d)}/${fileName(i)}`, type: "file", size: (i * 7919) % 200_000, mtime: T0 - i, mode: 0o644, uid: 1000, gid: 1000 };
    }
  }
}

/**
 * Increment k's changes (s.changes in all): 5% of the big folder changed (a sliding window, plus the hot file),
 * the rest spread over the other folders: changed, and 5% each deleted and new.
 */
function* incrementEntries(s: ReturnType<typeof shape>, k: number): Generator<ChangeSetEntry> {
  const T = T0 + k * HOUR;
  const big = Math.round(s.dirSize * 0.05);
  const file = (p: string, size: number): ChangeSetEntry => ({ v: 1, change: "changed", path: p, type: "file", size, mtime: T, mode: 0o644, uid: 1000, gid: 1000 });
  yield file(HOT, k * 10);
  for (let j = 0; j < big - 1; j++) yield file(`d000/${fileName(1 + ((k * big + j) % (s.dirSize - 1)))}`, k + j);
  const rest = s.changes - big;
  const gone = Math.round(rest * 0.05), added = gone, changed = rest - gone - added;
  const others = s.dirs - 1;
  // Deterministic, distinct per increment: entry n of increment k touches folder 1 + n % others, file (k*rest+n) / others.
  for (let n = 0; n < changed + gone; n++) {
    const d = 1 + (n % others);
    const i = Math.floor((k * rest + n) / others) % s.dirSize;
    const p = `${dirName(d)}/${fileName(i)}`;
    if (n < changed) yield file(p, k * 3 + n);
    else yield { v: 1, change: "deleted", path: p, type: "file" };
  }
  for (let n = 0; n < added; n++) yield { v: 1, change: "new", path: `${dirName(1 + (n % others))}/n${pad(k, 3)}-${pad(n, 5)}-${WORDS[n % WORDS.length]}.txt`, type: "file", size: n, mtime: T };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

/** p50/p95 in ms of `fn(i)` over `n` runs (after one warm-up). */
async function sample(n: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await fn(0);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) ms.push((await timed(() => fn(i)))[1]);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

/** Wall time in ms of a command (throws with its output when it fails). */
function command(cmd: string, args: string[], opts: { input?: string } = {}): { ms: number; stdout: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28, input: opts.input });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`"${cmd} ${args.join(" ")}" failed (${r.status}): ${(r.stderr || r.stdout || "").slice(-2000)}`);
  return { ms, stdout: r.stdout };
}

/** A real mirror of the big folder's shape: dirSize files, `increments` sessions changing the same files as the catalogue. */
async function peerRepository(o: Options, s: ReturnType<typeof shape>): Promise<string> {
  const src = path.join(o.work, "src"), repo = path.join(o.work, "repo");
  rmSync(o.work, { recursive: true, force: true });
  mkdirSync(path.join(src, "d000"), { recursive: true });
  for (let i = 0; i < s.dirSize; i++) writeFileSync(path.join(src, "d000", fileName(i)), `${i}\n`);
  // A build of its own: another run (or `npm start`) may rebuild the shared dist/agent meanwhile.
  const agent = await buildAgent(path.join(ROOT, "dist", `bench-catalogue-agent-${process.pid}`));
  const big = Math.round(s.dirSize * 0.05);
  for (let k = 0; k <= o.increments; k++) {
    if (k > 0) {
      // Each changed file gets the session's mtime, so change detection (mtime and size) never misses one.
      const put = (p: string, text: string) => {
        writeFileSync(p, text);
        utimesSync(p, T0 + k * HOUR, T0 + k * HOUR);
      };
      put(path.join(src, HOT), `${k} ${"x".repeat(k)}\n`);
      for (let j = 0; j < big - 1; j++) put(path.join(src, "d000", fileName(1 + ((k * big + j) % (s.dirSize - 1)))), `${k}.${j}\n`);
    }
    command(process.execPath, [agent, "backup", "--current-time", String(T0 + k * HOUR), src, repo]);
    if (k % 10 === 0) console.error(`  peer repository: session ${k}/${o.increments}`);
  }
  rmSync(path.dirname(agent), { recursive: true, force: true });
  return repo;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const s = shape(o.scale);
  console.error(`Catalogue bench: scale ${o.scale}: ${s.initial} initial entries (${s.dirs} folders of ${s.dirSize}), ${o.increments} increments of ${s.changes} changes`);
  const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");
  const loadBefore = load();
  // The peer first: it only needs files, and a failure there should not cost the catalogue's run.
  let peerList = "no peer run (--no-peer)", peerHistory = peerList;
  if (o.peer) {
    const pr = await peerRepository(o, s);
    const mid = String(T0 + Math.floor(o.increments / 2) * HOUR);
    const l = command("rdiff-backup", ["list", "files", "--at", mid, path.join(pr, "d000")]);
    const l0 = command("rdiff-backup", ["list", "files", "--at", String(T0), path.join(pr, "d000")]);
    const h = command("rdiff-backup", ["list", "increments", path.join(pr, HOT)]);
    const listed = l.stdout.split("\n").filter(Boolean).length - 1;
    if (listed !== s.dirSize) throw new Error(`rdiff-backup listed ${listed} entries, expected ${s.dirSize}`);
    const incs = /Found (\d+) increments/.exec(h.stdout)?.[1];
    if (Number(incs) !== o.increments) throw new Error(`rdiff-backup found ${incs} increments of ${HOT}, expected ${o.increments}`);
    peerList = `rdiff-backup list files --at: ${l.ms.toFixed(0)} ms (middle), ${l0.ms.toFixed(0)} ms (oldest), whole folder`;
    peerHistory = `rdiff-backup list increments FILE: ${h.ms.toFixed(0)} ms`;
    console.error(`  peer: ${peerList}; ${peerHistory}`);
    if (!o.keep) rmSync(o.work, { recursive: true, force: true });
  }
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  const tdb = await createConsoleTestDatabase();
  const rows: Array<Array<string | number>> = [];
  try {
    const { db } = await import("@/lib/db");
    const cat = await import("@/lib/data/catalogue");
    const p = tdb.prisma;
    const admin = await p.user.create({ data: { email: "bench@example.org", name: "bench", role: "admin", passwordHash: "x" } });
    const caller: Caller = { id: admin.id, email: admin.email, name: "bench", role: "admin", via: "session" };
    const agent = await p.agent.create({ data: { name: "bench", tokenHash: "x", secretEnc: "unused" } });
    const repo = await p.repository.create({ data: { name: "bench", format: "mirror", agentId: agent.id, path: "/srv/bench" } });
    const header = (k: number) => ({ v: 1 as const, kind: "header" as const, format: "mirror" as const, time: T0 + k * HOUR, previousTime: k ? T0 + (k - 1) * HOUR : null });

    const [, initialMs] = await timed(() => cat.ingestChangeSet(db(), { repositoryId: repo.id, header: header(0), entries: initialEntries(s) }));
    console.error(`  initial ingest: ${s.initial} entries in ${(initialMs / 1000).toFixed(1)} s`);
    const incMs: number[] = [];
    for (let k = 1; k <= o.increments; k++) {
      incMs.push((await timed(() => cat.ingestChangeSet(db(), { repositoryId: repo.id, header: header(k), entries: incrementEntries(s, k) })))[1]);
      if (k % 10 === 0) console.error(`  increment ${k}/${o.increments}: ${incMs[incMs.length - 1].toFixed(0)} ms`);
    }
    const [again, repeatMs] = await timed(() => cat.ingestChangeSet(db(), { repositoryId: repo.id, header: header(o.increments), entries: incrementEntries(s, o.increments) }));
    if (again.created) throw new Error("A repeated change set was ingested twice");
    await db().$executeRawUnsafe(`VACUUM ANALYZE "FileVersion"`);
    const versions = Number((await db().$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "FileVersion"`))[0].n);
    const bigVersions = Number((await db().$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "FileVersion" WHERE parent = 'd000'`))[0].n);

    const at = (i: number) => String(T0 + ((i * 37) % (o.increments + 1)) * HOUR);
    const page = await sample(o.samples, (i) => cat.listDirectory(caller, repo.id, { path: "d000", at: at(i), limit: 500 }));
    // The whole folder in one call (the largest page listDirectory and the tree API give).
    const whole = await sample(o.samples, async (i) => {
      const r = await cat.listDirectory(caller, repo.id, { path: "d000", at: at(i), limit: s.dirSize });
      if (r.entries.length !== s.dirSize || r.nextCursor) throw new Error(`Listing returned ${r.entries.length} entries, expected ${s.dirSize}`);
    });
    // The same through the tree API's handler (token check, query parsing, the response's JSON text read to the
    // end; parsing it is the client's work), and one entry through it (what a request costs whatever its size).
    const { createToken } = await import("@/lib/data/tokens");
    const token = await createToken(caller, { name: "bench", expiresAt: null }, { ip: null });
    const tree = await import("@/app/api/v1/repositories/[id]/tree/route");
    const get = async (i: number, limit: number) => {
      const url = `http://console.test/api/v1/repositories/${repo.id}/tree?path=d000&at=${at(i)}&limit=${limit}`;
      const res = await tree.GET(new Request(url, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id: repo.id }) });
      if (res.status !== 200) throw new Error(`Tree API answered ${res.status}: ${await res.text()}`);
      return res.text();
    };
    const answered = (JSON.parse(await get(0, s.dirSize)) as { entries: unknown[] }).entries.length;
    if (answered !== s.dirSize) throw new Error(`Tree API listed ${answered} entries, expected ${s.dirSize}`);
    const api = await sample(o.samples, (i) => get(i, s.dirSize));
    const apiOne = await sample(o.samples, (i) => get(i, 1));
    const pages = await sample(Math.max(5, o.samples >> 2), async (i) => {
      let cursor: string | undefined, n = 0;
      do {
        const r = await cat.listDirectory(caller, repo.id, { path: "d000", at: at(i), limit: 5000, cursor });
        n += r.entries.length;
        cursor = r.nextCursor ?? undefined;
      } while (cursor);
      if (n !== s.dirSize) throw new Error(`Listing returned ${n} entries, expected ${s.dirSize}`);
    });
    const history = await sample(o.samples, async () => {
      const h = await cat.fileHistory(caller, repo.id, HOT);
      if (h.events.length !== o.increments + 1) throw new Error(`History has ${h.events.length} events, expected ${o.increments + 1}`);
    });
    const rare = await sample(o.samples, (i) => cat.searchVersions(caller, { repoId: repo.id, q: `f${pad((i * 97) % s.dirSize, 5)}-` }));
    const common = await sample(o.samples >> 1, () => cat.searchVersions(caller, { repoId: repo.id, q: "invoice" }));
    const glob = await sample(o.samples >> 1, () => cat.searchVersions(caller, { repoId: repo.id, q: "*.pdf" }));

    const rate = (s.initial / initialMs) * 1000;
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    rows.push(
      [`ingest initial change set of ${s.initial} entries`, s.initial >= 1_000_000 ? "≤ 60 s" : `≤ ${(60 * s.initial / 1_000_000).toFixed(0)} s (scaled)`, `${(initialMs / 1000).toFixed(1)} s (${Math.round(rate)} rows/s)`, "none (rdiff-backup has no catalogue)"],
      [`ingest increment of ${s.changes} changes (${o.increments} increments)`, "≤ 2 s", `p50 ${ms(percentile(incMs, 50))}, p95 ${ms(percentile(incMs, 95))}, max ${ms(Math.max(...incMs))}`, "none"],
      ["repeated change set (idempotent no-op)", "no change", `${ms(repeatMs)}, nothing written`, "none"],
      [`list ${s.dirSize}-entry folder, first page of 500, random time of ${o.increments + 1} (${bigVersions} versions in it)`, "≤ 100 ms p95", `p50 ${ms(page.p50)}, p95 ${ms(page.p95)}`, peerList],
      [`list ${s.dirSize}-entry folder, whole folder in one call`, "≤ 100 ms p95", `p50 ${ms(whole.p50)}, p95 ${ms(whole.p95)}`, peerList],
      [`GET .../tree?path=d000&limit=${s.dirSize}: the same through the API handler, response text read`, "≤ 100 ms p95", `p50 ${ms(api.p50)}, p95 ${ms(api.p95)}`, peerList],
      ["GET .../tree?path=d000&limit=1: one entry through the API handler (a request's fixed cost)", "none", `p50 ${ms(apiOne.p50)}, p95 ${ms(apiOne.p95)}`, "none"],
      [`list ${s.dirSize}-entry folder, pages of 5000 with cursors`, "≤ 100 ms p95", `p50 ${ms(pages.p50)}, p95 ${ms(pages.p95)}`, peerList],
      [`file history, ${o.increments + 1} versions`, "≤ 50 ms", `p50 ${ms(history.p50)}, p95 ${ms(history.p95)}`, peerHistory],
      [`search a rare name over ${versions} versions`, "≤ 300 ms", `p50 ${ms(rare.p50)}, p95 ${ms(rare.p95)}`, "none (rdiff-backup has no search)"],
      [`search a common word ("invoice", 1/12 of names)`, "≤ 300 ms", `p50 ${ms(common.p50)}, p95 ${ms(common.p95)}`, "none"],
      [`search a glob ("*.pdf", 1/8 of names)`, "≤ 300 ms", `p50 ${ms(glob.p50)}, p95 ${ms(glob.p95)}`, "none"],
    );
  } finally {
    if (o.keep) console.error(`Kept database ${tdb.url}`);
    else await tdb.drop();
  }
  console.log(table(["measure", "target", "Strata", "peer on the same shape"], rows));
  console.log(`\nLoad average (1, 5, 15 min) at start: ${loadBefore}; at the end: ${load()} (${cpus().length} CPUs).`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
