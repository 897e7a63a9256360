// Stream benchmark (issue 6, Performance): a folder download of the ~1 GB bench tree as zip and as tar.gz from a
// real agent data plane (its own process, signed requests) through the console's real archive route handler
// (app/api/v1/repositories/[id]/archive, Bearer token, catalogue imported into a fresh PostgreSQL database).
// Measures MiB/s of source data and the peak RSS of the console side (this process) and of the agent process;
// the peer is what rdiffweb does: `rdiff-backup restore` to a temporary folder, then `zip -r`. Usage: bench/README.md.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateDataset, treeBytes } from "./dataset";
import { mb, measure, table } from "./measure";
import { buildAgent } from "../scripts/build-agent";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const T0 = 1767225600; // 2026-01-01T00:00:00Z: the one backup session
const TARGET_MIBS = 100;
const TARGET_RSS_MB = 300;

interface Options {
  scale: number;
  seed: number;
  work: string;
  keep: boolean;
  peer: boolean;
  serve: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { scale: 1, seed: 42, work: path.join(tmpdir(), "strata-bench-stream"), keep: true, peer: true, serve: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === "--scale") o.scale = Number(v());
    else if (a === "--seed") o.seed = Number(v());
    else if (a === "--work") o.work = path.resolve(v());
    else if (a === "--clean") o.keep = false;
    else if (a === "--no-peer") o.peer = false;
    else if (a === "--serve") o.serve = path.resolve(v()); // internal: the agent process
    else throw new Error(`Unknown option "${a}" (see bench/README.md)`);
  }
  if (!(o.scale > 0)) throw new Error(`Option "--scale" needs a positive number`);
  return o;
}

/** The agent side, in its own process: the real data plane over `root`, secret from the environment. */
async function serve(root: string): Promise<void> {
  const secret = process.env.STRATA_BENCH_SECRET;
  if (!secret) throw new Error("STRATA_BENCH_SECRET is not set");
  const { startDataPlane } = await import("@/agent/server");
  const plane = await startDataPlane({ listen: "127.0.0.1:0", roots: [root], secret: () => secret });
  process.stdout.write(`${plane.url}\n`);
  process.on("SIGTERM", () => void plane.close().then(() => process.exit(0)));
}

function startAgentProcess(root: string, secret: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/stream.ts"), "--serve", root], {
    cwd: ROOT,
    env: { ...process.env, STRATA_BENCH_SECRET: secret },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve({ child, url: line.trim() });
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`The agent process ended (exit code ${code}) before listening`)));
  });
}

/** Resets the kernel's peak-RSS mark of a process (VmHWM) so the next reading covers only what follows. */
function resetPeak(pid: number | "self"): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

function peakMb(pid: number | "self"): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface StreamResult {
  seconds: number;
  bytesOut: number;
  consoleRssMb: number;
  agentRssMb: number;
  /** The console process's RSS when the request starts (Prisma, the route's modules, tsx loaded). */
  consoleBaseMb: number;
  status: number;
}

/** One download through the route handler: body consumed (zip written to `file` for verification). */
async function download(get: (format: string) => Promise<Response>, format: "zip" | "tar.gz", agentPid: number, file: string): Promise<StreamResult> {
  global.gc?.();
  resetPeak("self");
  resetPeak(agentPid);
  let sampled = process.memoryUsage().rss;
  const consoleBaseMb = sampled / 2 ** 20;
  const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const res = await get(format);
  let bytesOut = 0;
  const out = createWriteStream(file);
  if (res.body) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytesOut += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
    }
  }
  await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  sampled = Math.max(sampled, process.memoryUsage().rss);
  const u = process.memoryUsage();
  console.error(`  ${format} memory at the end: rss ${mb(u.rss).toFixed(0)}, heap used ${mb(u.heapUsed).toFixed(0)} of ${mb(u.heapTotal).toFixed(0)}, external ${mb(u.external).toFixed(0)}, array buffers ${mb(u.arrayBuffers).toFixed(0)} MiB`);
  return { seconds, bytesOut, status: res.status, consoleBaseMb, consoleRssMb: Math.max(sampled / 2 ** 20, peakMb("self")), agentRssMb: peakMb(agentPid) };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.serve) return serve(o.serve);
  const loadBefore = loadavg();
  mkdirSync(o.work, { recursive: true });
  const src = path.join(o.work, "src"), repo = path.join(o.work, "repo");
  const stamp = path.join(o.work, `ready-scale${o.scale}-seed${o.seed}`);
  let files: number;
  if (existsSync(stamp)) {
    files = Number(readFileSync(stamp, "utf8"));
    console.error(`Reusing the tree and its backup in ${o.work}`);
  } else {
    rmSync(o.work, { recursive: true, force: true });
    mkdirSync(o.work, { recursive: true });
    console.error(`Generating dataset (scale ${o.scale}, seed ${o.seed}) in ${src} ...`);
    const ds = generateDataset(src, o.scale, o.seed, T0 - 3600);
    files = ds.files.length;
    const agent = await buildAgent(path.join(o.work, "agent-build"));
    console.error("Backing it up with Strata's mirror engine (compiled agent) ...");
    const b = await measure(process.execPath, [agent, "backup", "--current-time", String(T0), src, repo], { cwd: ROOT });
    console.error(`  ${b.seconds.toFixed(1)} s`);
    writeFileSync(stamp, String(files));
  }
  const srcBytes = treeBytes(src);
  console.error(`  ${files} files, ${mb(srcBytes).toFixed(0)} MiB`);

  // Console side: fresh database, agent row with the data plane's URL, an admin with a token, the import.
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  const tdb = await createConsoleTestDatabase();
  const secret = randomBytes(32).toString("base64url");
  const { child, url } = await startAgentProcess(o.work, secret);
  child.removeAllListeners("exit");
  const cleanup = async () => {
    child.kill("SIGTERM");
    const { db } = await import("@/lib/db");
    await db().$disconnect();
    await tdb.drop();
  };
  try {
    const { hashToken } = await import("@/lib/auth/tokens");
    const { encryptSecret } = await import("@/lib/crypto/secrets");
    const { registerImport, startImport } = await import("@/lib/data/catalogue/import");
    const p = tdb.prisma;
    await p.agent.create({ data: { name: "bench", tokenHash: hashToken(randomBytes(8).toString("hex")), secretEnc: encryptSecret(secret), url } });
    const user = await p.user.create({ data: { email: "admin@example.org", name: "admin", role: "admin", passwordHash: "x" } });
    const token = `pat_${randomBytes(16).toString("hex")}`;
    await p.apiToken.create({ data: { userId: user.id, name: "bench", tokenHash: hashToken(token), prefix: token.slice(0, 8) } });
    const importStart = performance.now();
    const { id } = await registerImport({ id: user.id, email: user.email, name: user.name, role: "admin", via: "token" }, { agent: "bench", path: repo, format: "mirror", name: "bench" }, { ip: null });
    await startImport(id);
    const state = await p.repository.findUniqueOrThrow({ where: { id }, select: { importState: true, importError: true } });
    if (state.importState !== "complete") throw new Error(`Import failed: ${state.importError}`);
    console.error(`Catalogue imported in ${((performance.now() - importStart) / 1000).toFixed(1)} s`);

    const { GET } = await import("@/app/api/v1/repositories/[id]/archive/route");
    const get = (format: string) =>
      GET(new Request(`http://console.test/api/v1/repositories/${id}/archive?${new URLSearchParams({ path: "", format })}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id }) });
    const results: Partial<Record<"zip" | "tar.gz", StreamResult>> = {};
    const outFile = (f: string) => path.join(o.work, `download.${f}`);
    for (const f of ["zip", "tar.gz"] as const) {
      const r = await download(get, f, child.pid!, outFile(f));
      if (r.status !== 200) throw new Error(`The archive route answered ${r.status} for ${f}: ${readFileSync(outFile(f), "utf8").slice(0, 300)}`);
      results[f] = r;
      console.error(`  ${f.padEnd(7)} ${r.seconds.toFixed(1)} s, ${mb(r.bytesOut).toFixed(0)} MiB out, console ${r.consoleRssMb.toFixed(0)} MB, agent ${r.agentRssMb.toFixed(0)} MB`);
    }
    // Validity: unzip tests every entry's CRC; its file entries are the tree's files; tar lists as many.
    execFileSync("unzip", ["-tqq", outFile("zip")]);
    const zipFiles = execFileSync("unzip", ["-Z1", outFile("zip")], { maxBuffer: 1 << 28 }).toString().split("\n").filter((l) => l && !l.endsWith("/")).length;
    const tarFiles = execFileSync("tar", ["-tvzf", outFile("tar.gz")], { maxBuffer: 1 << 28 }).toString().split("\n").filter((l) => l.startsWith("-")).length;
    const valid = zipFiles === files && tarFiles === files;
    console.error(`  zip: ${zipFiles} files, tar.gz: ${tarFiles} files, tree: ${files}`);
    for (const f of ["zip", "tar.gz"]) rmSync(outFile(f), { force: true });

    // Peer (rdiffweb's way): restore the session to a temporary folder, then zip it.
    let peer: { seconds: number; restore: number; rss: number } | null = null;
    if (o.peer) {
      const dest = path.join(o.work, "peer-restore"), zipOut = path.join(o.work, "peer.zip");
      rmSync(dest, { recursive: true, force: true });
      rmSync(zipOut, { force: true });
      const r = await measure("rdiff-backup", ["restore", "--at", String(T0), repo, dest], { cwd: ROOT });
      const z = await measure("sh", ["-c", `cd "${dest}" && zip -q -r "${zipOut}" .`], { cwd: ROOT });
      peer = { seconds: r.seconds + z.seconds, restore: r.seconds, rss: Math.max(r.peakRssMb, z.peakRssMb) };
      console.error(`  peer: restore ${r.seconds.toFixed(1)} s + zip ${z.seconds.toFixed(1)} s`);
      rmSync(dest, { recursive: true, force: true });
      rmSync(zipOut, { force: true });
    }

    const rate = (s: number) => mb(srcBytes) / s;
    const ok = (c: boolean) => (c ? "yes" : "NO");
    const z = results.zip!, g = results["tar.gz"]!;
    const rssC = Math.max(z.consoleRssMb, g.consoleRssMb), rssA = Math.max(z.agentRssMb, g.agentRssMb);
    console.log(`\n## Stream benchmark: whole repository of ${files} files, ${mb(srcBytes).toFixed(0)} MiB (scale ${o.scale}), agent → console route → client on loopback\n`);
    console.log(
      table(
        ["measure", "value", "target", "met"],
        [
          [`Strata zip (MiB/s; ${z.seconds.toFixed(1)} s, ${mb(z.bytesOut).toFixed(0)} MiB out)`, rate(z.seconds), `≥ ${TARGET_MIBS}`, ok(rate(z.seconds) >= TARGET_MIBS)],
          [`Strata tar.gz (MiB/s; ${g.seconds.toFixed(1)} s, ${mb(g.bytesOut).toFixed(0)} MiB out)`, rate(g.seconds), `≥ ${TARGET_MIBS}`, ok(rate(g.seconds) >= TARGET_MIBS)],
          [peer ? `peer: rdiff-backup restore + zip -r (MiB/s; ${peer.restore.toFixed(1)} + ${(peer.seconds - peer.restore).toFixed(1)} s)` : "peer", peer ? rate(peer.seconds) : "not run", "", ""],
          [`peak RSS console process (MB; ${Math.min(z.consoleBaseMb, g.consoleBaseMb).toFixed(0)} MB before the request)`, rssC, `≤ ${TARGET_RSS_MB}`, ok(rssC <= TARGET_RSS_MB)],
          ["peak RSS agent process (MB)", rssA, `≤ ${TARGET_RSS_MB}`, ok(rssA <= TARGET_RSS_MB)],
          ["peer peak RSS (MB)", peer ? peer.rss : "not run", "", ""],
          [`archives valid (unzip -t; files zip/tar/tree ${zipFiles}/${tarFiles}/${files})`, valid ? "yes" : "NO", "all files", ok(valid)],
        ],
      ),
    );
    console.log(`\nMachine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")} at the start, ${loadavg().map((l) => l.toFixed(2)).join(" ")} at the end; ${new Date().toISOString()}.`);
    if (!valid) process.exitCode = 1;
  } finally {
    await cleanup();
    if (!o.keep) rmSync(o.work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
