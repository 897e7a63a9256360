// One worker thread that copies local files for the main thread (the local fast path of a session, restores)
// and makes a session's small reverse increments:
// the main thread posts batches of jobs and goes on walking; each job's promise settles when the worker has
// written the file. If the worker cannot start or dies, the jobs run on the main thread instead (a job the
// worker may have begun is redone from scratch: its partial destination is removed first).
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Signature } from "../librsync/signature";
import type { IncBody } from "./increments";
import type { CopyResult } from "./copy-in";
import type { Attrs } from "./repo-writer";
import { SourceReadError } from "./repo-writer";
import { writeHookActive } from "./write-hook";

/** One job for the worker. Paths travel as Latin-1 strings (one char per byte): a Buffer would clone its whole pool slab. */
export type CopyJob = { id: number; dst: string; attrs: Attrs } & (
  | { kind: "copy"; src: string; hint: number; withSig: boolean }
  | { kind: "inc"; src: string; body: IncBody }
);

/** What a job produced: a copy's bytes, SHA-1 and signature; an increment's size. */
export interface CopyOutcome {
  bytes: number;
  sha1?: string;
  sig?: Signature;
  /** The mirror file is too big to be diffed in memory: nothing was written. */
  tooBig?: boolean;
}

export interface CopyReply extends Partial<CopyOutcome> {
  id: number;
  error?: { source: boolean; message: string; code?: string; errno?: number; syscall?: string; path?: unknown };
}

type Fallback = (src: Buffer, dst: Buffer, withSig: boolean, hint: number, attrs: Attrs) => CopyResult;

interface Waiting {
  job: CopyJob;
  fallback: () => CopyOutcome;
  resolve: (r: CopyOutcome) => void;
  reject: (e: unknown) => void;
}

/** Jobs per message: enough to make the message cost small, few enough to keep both threads busy. */
const BATCH = 32;

let worker: Worker | undefined;
let broken = false;
let nextId = 1;
let batch: CopyJob[] = [];
let flushQueued = false;
const waiting = new Map<number, Waiting>();
const latin1 = (b: Buffer) => b.toString("latin1");

/** The worker's script: the compiled one next to the agent bundle, or the TypeScript source (through tsx). */
function workerScript(): { file: string; eval?: boolean } | undefined {
  const here = import.meta.url;
  if (here.endsWith(".ts")) {
    // Run from source (tests, tsx): the worker registers tsx's loader, then imports the TypeScript module.
    const api = pathToFileURL(createRequire(here).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
    const src = new URL("./copy-worker.ts", here).href;
    return { file: `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(src)}); })`, eval: true };
  }
  for (const rel of ["../copy-worker.mjs", "./copy-worker.mjs"]) {
    const file = fileURLToPath(new URL(rel, here));
    if (existsSync(file)) return { file };
  }
  return undefined;
}

/** Whether copies can go to the worker (not under the crash-test write hook, which counts writes in order). */
export function copyPoolUsable(): boolean {
  if (broken || writeHookActive || process.env.STRATA_NO_COPY_WORKER) return false;
  return worker !== undefined || workerScript() !== undefined;
}

/** Starts the worker at the first copy (a session without copies starts none); false when it cannot. */
function started(): boolean {
  if (worker) return true;
  if (broken) return false;
  const script = workerScript();
  let w: Worker;
  try {
    if (!script) throw new Error("no copy worker script");
    w = new Worker(script.file, { eval: script.eval ?? false });
  } catch {
    broken = true;
    return false;
  }
  worker = w;
  w.on("message", (replies: CopyReply[]) => {
    for (const r of replies) settle(r);
    if (waiting.size === 0) w.unref();
  });
  w.on("error", () => w === worker && fail());
  w.on("exit", () => w === worker && fail());
  return true;
}

let holders = 0;

/**
 * Marks a user of the worker (a backup session, a restore) until the returned release: the worker stops when
 * the last user releases it, not when one of several running at once ends.
 */
export function holdCopyPool(): () => Promise<void> {
  holders++;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--holders === 0) await closeCopyPool();
  };
}

/** Whether the worker thread is up (for tests). */
export function copyPoolRunning(): boolean {
  return worker !== undefined;
}

/** Stops the worker when no copy is waiting for it (end of a session); the next copy starts a new one. */
export async function closeCopyPool(): Promise<void> {
  const w = worker;
  if (!w || waiting.size > 0) return;
  worker = undefined;
  await w.terminate();
}

/** Copies `src` to the new file `dst` in the worker (hashing, and signing when asked); rejects like the synchronous copy would. */
export async function copyInWorker(src: Buffer, dst: Buffer, withSig: boolean, hint: number, attrs: Attrs, sync: Fallback): Promise<CopyResult> {
  const job: CopyJob = { id: nextId++, kind: "copy", src: latin1(src), dst: latin1(dst), hint, attrs, withSig };
  const r = await post(job, () => sync(src, dst, withSig, hint, attrs));
  return { bytes: r.bytes, sha1: r.sha1!, sig: r.sig };
}

/** A reverse increment of the mirror file `src` made (and closed, not synced) in the worker; `sync` does it here. */
export function incInWorker(
  src: Buffer, dst: Buffer, attrs: Attrs, body: IncBody,
  sync: (src: Buffer, dst: Buffer, attrs: Attrs, body: IncBody) => CopyOutcome,
): Promise<CopyOutcome> {
  return post({ id: nextId++, kind: "inc", src: latin1(src), dst: latin1(dst), attrs, body }, () => sync(src, dst, attrs, body));
}

function post(job: CopyJob, fallback: () => CopyOutcome): Promise<CopyOutcome> {
  return new Promise((resolve, reject) => {
    if (!started()) {
      runHere(fallback, resolve, reject);
      return;
    }
    waiting.set(job.id, { job, fallback, resolve, reject });
    worker!.ref();
    batch.push(job);
    if (batch.length >= BATCH) flush();
    else if (!flushQueued) {
      flushQueued = true;
      setImmediate(flush);
    }
  });
}

function flush(): void {
  flushQueued = false;
  if (batch.length === 0 || !worker || broken) return;
  const jobs = batch;
  batch = [];
  worker.postMessage(jobs);
}

function settle(r: CopyReply): void {
  const w = waiting.get(r.id);
  if (!w) return;
  waiting.delete(r.id);
  if (!r.error) return w.resolve({ bytes: r.bytes ?? 0, sha1: r.sha1, sig: r.sig, tooBig: r.tooBig });
  const { source, message, ...props } = r.error;
  const err = Object.assign(new Error(message), props);
  if (props.path instanceof Uint8Array) err.path = Buffer.from(props.path);
  w.reject(source ? new SourceReadError(err) : err);
}

/** The worker is gone: every job it had not answered runs here, from a clean destination. */
function fail(): void {
  if (broken) return;
  broken = true;
  worker = undefined;
  batch = [];
  const left = [...waiting.values()];
  waiting.clear();
  for (const w of left) {
    rmSync(Buffer.from(w.job.dst, "latin1"), { force: true });
    runHere(w.fallback, w.resolve, w.reject);
  }
}

function runHere(fallback: () => CopyOutcome, resolve: (r: CopyOutcome) => void, reject: (e: unknown) => void): void {
  try {
    resolve(fallback());
  } catch (err) {
    reject(err);
  }
}
