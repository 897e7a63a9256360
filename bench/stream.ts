// Stream benchmark (issue 6, Performance): a folder download of the ~1 GB bench tree as zip and as tar.gz from a
// real agent data plane (its own process, signed requests) through a real console: the production Next.js
// server (`next start` of a built checkout) on a fresh PostgreSQL database, called over HTTP with a Bearer token.
// Measures MiB/s of source data, the RSS of the console server process and of the agent process before and while
// streaming, and a slow client (backpressure); the peer is what rdiffweb does: `rdiff-backup restore` to a
// temporary folder, then `zip -r`. Usage: bench/README.md.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../agent/engines/archive/upload/test-sshd";
import { generateDataset, treeBytes } from "./dataset";
import { mb, measure, table } from "./measure";
import { buildAgent } from "../scripts/build-agent";
import { consoleProcessEnv } from "../scripts/console-env";

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
  slow: boolean;
  consoleDir: string;
  serve: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { scale: 1, seed: 42, work: path.join(tmpdir(), "strata-bench-stream"), keep: true, peer: true, slow: true, consoleDir: ROOT, serve: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === "--scale") o.scale = Number(v());
    else if (a === "--seed") o.seed = Number(v());
    else if (a === "--work") o.work = path.resolve(v());
    else if (a === "--clean") o.keep = false;
    else if (a === "--no-peer") o.peer = false;
    else if (a === "--no-slow") o.slow = false;
    else if (a === "--console-dir") o.consoleDir = path.resolve(v());
    else if (a === "--serve") o.serve = path.resolve(v()); // internal: the agent process
    else throw new Error(`Unknown option "${a}" (see bench/README.md)`);
  }
  if (!(o.scale > 0)) throw new Error(`Option "--scale" needs a positive number`);
  if (!o.serve && !existsSync(path.join(o.consoleDir, ".next", "BUILD_ID"))) {
    throw new Error(`No production build in "${o.consoleDir}": run \`npm run build\` there first, or pass --console-dir a built checkout (see bench/README.md)`);
  }
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

/** The child processes of `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * The production console: `next start` in `dir` with the bench database's environment. Resolves once
 * /api/health answers, with the PID of the process that serves requests (`next start` itself, or its
 * `next-server` child when it forks one).
 */
async function startConsole(dir: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; pid: number }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(dir, "node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: dir,
    // The memory settings `npm start` gives the console (scripts/console-env.ts).
    env: consoleProcessEnv({ ...env, NODE_ENV: "production" as const, NEXT_TELEMETRY_DISABLED: "1", STRATA_URL: url, NEXTAUTH_URL: url }),
    stdio: ["ignore", "ignore", "inherit"],
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The console exited (code ${child.exitCode}) during start-up`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`The console did not answer at ${url} within 120 s`);
    await new Promise((r) => setTimeout(r, 300));
  }
  const forked = childrenOf(child.pid!).find((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").includes("next"));
  return { child, url, pid: forked ?? child.pid! };
}

/** Resets the kernel's peak-RSS mark of a process (VmHWM) so the next reading covers only what follows. */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

function statusMb(pid: number, field: "VmHWM" | "VmRSS"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds (user + system, all threads) a process has used so far. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // clock ticks (USER_HZ = 100 on Linux)
}

/** Samples a process's RSS every 20 ms; `stop()` gives the peak (with the kernel's VmHWM since the start) and the CPU used. */
function sampler(pid: number): { base: number; stop(): { peak: number; cpu: number } } {
  resetPeak(pid);
  const base = statusMb(pid, "VmRSS"), cpu0 = cpuSeconds(pid);
  let peak = base;
  const t = setInterval(() => (peak = Math.max(peak, statusMb(pid, "VmRSS"))), 20);
  return { base, stop: () => (clearInterval(t), { peak: Math.max(peak, statusMb(pid, "VmHWM")), cpu: cpuSeconds(pid) - cpu0 }) };
}

interface StreamResult {
  seconds: number;
  bytesOut: number;
  status: number;
  consoleBase: number;
  consolePeak: number;
  consoleCpu: number;
  agentBase: number;
  agentPeak: number;
  agentCpu: number;
}

/** The readings of both samplers as a result. */
function finish(c: ReturnType<typeof sampler>, a: ReturnType<typeof sampler>, r: { seconds: number; bytesOut: number; status: number }): StreamResult {
  const cs = c.stop(), as = a.stop();
  return { ...r, consoleBase: c.base, consolePeak: cs.peak, consoleCpu: cs.cpu, agentBase: a.base, agentPeak: as.peak, agentCpu: as.cpu };
}

interface Target {
  url: (query: Record<string, string>) => string;
  token: string;
  consolePid: number;
  agentPid: number;
}

/** One download over HTTP, the body written to `file`; RSS of both processes sampled meanwhile. */
async function download(t: Target, query: Record<string, string>, file: string): Promise<StreamResult> {
  const c = sampler(t.consolePid), a = sampler(t.agentPid);
  const started = performance.now();
  const res = await fetch(t.url(query), { headers: { authorization: `Bearer ${t.token}` } });
  let bytesOut = 0;
  const out = createWriteStream(file);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytesOut += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
  const seconds = (performance.now() - started) / 1000;
  return finish(c, a, { seconds, bytesOut, status: res.status });
}

/** A client reading at ~`mibs` MiB/s for `seconds`, then going away: the console must not buffer ahead. */
async function slowDownload(t: Target, query: Record<string, string>, mibs: number, seconds: number): Promise<StreamResult> {
  const c = sampler(t.consolePid), a = sampler(t.agentPid);
  const ac = new AbortController();
  const started = performance.now();
  const res = await fetch(t.url(query), { headers: { authorization: `Bearer ${t.token}` }, signal: ac.signal });
  const reader = res.body!.getReader();
  let bytesOut = 0;
  while (performance.now() - started < seconds * 1000) {
    const n = await reader.read();
    if (n.done) break;
    bytesOut += n.value.length;
    const due = (bytesOut / (mibs * 2 ** 20)) * 1000 - (performance.now() - started);
    if (due > 0) await new Promise((r) => setTimeout(r, due));
  }
  ac.abort();
  await reader.cancel().catch(() => undefined);
  const result = finish(c, a, { seconds: (performance.now() - started) / 1000, bytesOut, status: res.status });
  await new Promise((r) => setTimeout(r, 1000)); // let both sides wind the stream down
  return result;
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

  // Fresh database (its environment is the console's), agent row with the data plane's URL, an admin with a token, the import.
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  const tdb = await createConsoleTestDatabase();
  const secret = randomBytes(32).toString("base64url");
  const agentProc = await startAgentProcess(o.work, secret);
  agentProc.child.removeAllListeners("exit");
  let consoleProc: ChildProcess | undefined;
  const cleanup = async () => {
    agentProc.child.kill("SIGTERM");
    consoleProc?.kill("SIGTERM");
    await tdb.drop();
  };
  try {
    const { hashToken } = await import("@/lib/auth/tokens");
    const { encryptSecret } = await import("@/lib/crypto/secrets");
    const { registerImport, startImport } = await import("@/lib/data/catalogue/import");
    const p = tdb.prisma;
    await p.agent.create({ data: { name: "bench", tokenHash: hashToken(randomBytes(8).toString("hex")), secretEnc: encryptSecret(secret), url: agentProc.url } });
    const user = await p.user.create({ data: { email: "admin@example.org", name: "admin", role: "admin", passwordHash: "x" } });
    const token = `pat_${randomBytes(16).toString("hex")}`;
    await p.apiToken.create({ data: { userId: user.id, name: "bench", tokenHash: hashToken(token), prefix: token.slice(0, 8) } });
    const importStart = performance.now();
    const { id } = await registerImport({ id: user.id, email: user.email, name: user.name, role: "admin", via: "token" }, { agent: "bench", path: repo, format: "mirror", name: "bench" }, { ip: null });
    await startImport(id);
    const state = await p.repository.findUniqueOrThrow({ where: { id }, select: { importState: true, importError: true } });
    if (state.importState !== "complete") throw new Error(`Import failed: ${state.importError}`);
    console.error(`Catalogue imported in ${((performance.now() - importStart) / 1000).toFixed(1)} s`);
    const { db } = await import("@/lib/db");
    await db().$disconnect();

    const con = await startConsole(o.consoleDir, process.env);
    consoleProc = con.child;
    const t: Target = {
      url: (q) => `${con.url}/api/v1/repositories/${id}/archive?${new URLSearchParams(q)}`,
      token,
      consolePid: con.pid,
      agentPid: agentProc.child.pid!,
    };
    const freshMb = statusMb(con.pid, "VmRSS");
    const api = await fetch(`${con.url}/api/v1/repositories/${id}`, { headers: { authorization: `Bearer ${token}` } });
    if (api.status !== 200) throw new Error(`GET /api/v1/repositories/${id} answered ${api.status}`);
    await api.arrayBuffer();
    const apiMb = statusMb(con.pid, "VmRSS");
    const outFile = (f: string) => path.join(o.work, `download.${f}`);
    const warm = await download(t, { path: "dir1", format: "zip" }, outFile("warm"));
    if (warm.status !== 200) throw new Error(`The archive route answered ${warm.status}: ${readFileSync(outFile("warm"), "utf8").slice(0, 300)}`);
    const idleMb = statusMb(con.pid, "VmRSS");
    console.error(`Console (next start, pid ${con.pid}) at ${con.url}: RSS ${freshMb.toFixed(0)} MB started, ${apiMb.toFixed(0)} MB after an API request, ${idleMb.toFixed(0)} MB after a warm-up download (${mb(warm.bytesOut).toFixed(0)} MiB)`);

    const runs = [
      { key: "zip", label: "zip", query: { path: "", format: "zip" }, file: "zip" },
      { key: "tar.gz", label: "tar.gz", query: { path: "", format: "tar.gz" }, file: "tar.gz" },
      { key: "store", label: "zip, compression=store", query: { path: "", format: "zip", compression: "store" }, file: "store.zip" },
    ] as const;
    const results: Record<string, StreamResult> = {};
    for (const r of runs) {
      const res = await download(t, r.query, outFile(r.file));
      if (res.status !== 200) throw new Error(`The archive route answered ${res.status} for ${r.label}: ${readFileSync(outFile(r.file), "utf8").slice(0, 300)}`);
      results[r.key] = res;
      console.error(`  ${r.label.padEnd(22)} ${res.seconds.toFixed(1)} s, ${mb(res.bytesOut).toFixed(0)} MiB out, console ${res.consoleBase.toFixed(0)} → ${res.consolePeak.toFixed(0)} MB (CPU ${res.consoleCpu.toFixed(1)} s), agent ${res.agentBase.toFixed(0)} → ${res.agentPeak.toFixed(0)} MB (CPU ${res.agentCpu.toFixed(1)} s)`);
    }
    const slow = o.slow ? await slowDownload(t, { path: "", format: "zip" }, 8, 15) : null;
    if (slow) console.error(`  slow client: ${mb(slow.bytesOut).toFixed(0)} MiB in ${slow.seconds.toFixed(1)} s, console ${slow.consoleBase.toFixed(0)} → ${slow.consolePeak.toFixed(0)} MB, agent ${slow.agentBase.toFixed(0)} → ${slow.agentPeak.toFixed(0)} MB`);

    // Validity: unzip tests every entry's CRC; its file entries are the tree's files; tar lists as many.
    const count = (cmd: string, args: string[], keep: (l: string) => boolean) =>
      execFileSync(cmd, args, { maxBuffer: 1 << 30 }).toString().split("\n").filter(keep).length;
    execFileSync("unzip", ["-tqq", outFile("zip")]);
    execFileSync("unzip", ["-tqq", outFile("store.zip")]);
    const zipFiles = count("unzip", ["-Z1", outFile("zip")], (l) => !!l && !l.endsWith("/"));
    const storeFiles = count("unzip", ["-Z1", outFile("store.zip")], (l) => !!l && !l.endsWith("/"));
    const tarFiles = count("tar", ["-tvzf", outFile("tar.gz")], (l) => l.startsWith("-"));
    const valid = zipFiles === files && tarFiles === files && storeFiles === files;
    console.error(`  zip: ${zipFiles} files, zip (store): ${storeFiles}, tar.gz: ${tarFiles} files, tree: ${files}`);
    for (const f of ["zip", "tar.gz", "store.zip", "warm"]) rmSync(outFile(f), { force: true });

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
    const all = Object.values(results);
    const rssC = Math.max(...all.map((r) => r.consolePeak)), rssA = Math.max(...all.map((r) => r.agentPeak));
    const agentBase = Math.min(...all.map((r) => r.agentBase));
    const speedRows = runs.map((r) => {
      const x = results[r.key];
      return [`Strata ${r.label} (MiB/s; ${x.seconds.toFixed(1)} s, ${mb(x.bytesOut).toFixed(0)} MiB out; CPU console ${x.consoleCpu.toFixed(1)} s + agent ${x.agentCpu.toFixed(1)} s)`, rate(x.seconds), r.key === "store" ? "" : `≥ ${TARGET_MIBS}`, r.key === "store" ? "" : ok(rate(x.seconds) >= TARGET_MIBS)];
    });
    console.log(`\n## Stream benchmark: whole repository of ${files} files, ${mb(srcBytes).toFixed(0)} MiB (scale ${o.scale}), agent → console (next start) → HTTP client on loopback\n`);
    console.log(
      table(
        ["measure", "value", "target", "met"],
        [
          ...speedRows,
          [peer ? `peer: rdiff-backup restore + zip -r (MiB/s; ${peer.restore.toFixed(1)} + ${(peer.seconds - peer.restore).toFixed(1)} s)` : "peer", peer ? rate(peer.seconds) : "not run", "", ""],
          [`peak RSS console server process (MB; idle ${freshMb.toFixed(0)} started, ${apiMb.toFixed(0)} after an API request, ${idleMb.toFixed(0)} after a warm-up download)`, rssC, `≤ ${TARGET_RSS_MB}`, ok(rssC <= TARGET_RSS_MB)],
          [`peak RSS agent process (MB; ${agentBase.toFixed(0)} MB before the requests)`, rssA, `≤ ${TARGET_RSS_MB}`, ok(rssA <= TARGET_RSS_MB)],
          slow
            ? [`slow client (8 MiB/s for ${slow.seconds.toFixed(0)} s, ${mb(slow.bytesOut).toFixed(0)} MiB read): console / agent peak RSS (MB)`, `${slow.consolePeak.toFixed(0)} / ${slow.agentPeak.toFixed(0)}`, `≤ ${TARGET_RSS_MB}`, ok(Math.max(slow.consolePeak, slow.agentPeak) <= TARGET_RSS_MB)]
            : ["slow client", "not run", "", ""],
          ["peer peak RSS (MB)", peer ? peer.rss : "not run", "", ""],
          [`archives valid (unzip -t; files zip/store/tar/tree ${zipFiles}/${storeFiles}/${tarFiles}/${files})`, valid ? "yes" : "NO", "all files", ok(valid)],
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
