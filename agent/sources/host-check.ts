// What the job form asks the agent about a host: "Test connection" (like `rdiff-backup --test-server`: connect,
// host key, log in, list the first source path, each step timed) and the include/exclude preview (walk the
// source paths with the job's selection, exactly as a mirror run would, and return the first selected entries).
import path from "node:path";
import { buildSelection } from "@/agent/engines/mirror/selection/selection";
import { selectedWalk } from "@/agent/engines/mirror/selection/walk";
import { mirrorSelection } from "@/agent/tasks/mirror-selection";
import type { HostConnection, SelectionPreviewResponse, TestConnectionResponse } from "@/lib/schemas/agent-protocol";
import { openLocalSource } from "./local";
import { connectToHost, hostLabel, type OpenSourceContext } from "./open";
import { HostConnectError, type ConnectStep } from "./ssh/connect";
import { openSftpSource } from "./ssh/sftp-source";
import type { Source, SourceEntry } from "./types";

type Step = TestConnectionResponse["steps"][number];

/** Names shown after a successful listing. */
const LIST_SHOWN = 20;

/**
 * Tests a host step by step. An unpinned host's key is accepted for the test and returned as `fingerprint`
 * (the console pins it); a pinned key that differs fails the host-key step with both fingerprints (the console
 * records it as pending).
 */
export async function testHostConnection(host: HostConnection, listPath: string | undefined, ctx: OpenSourceContext): Promise<TestConnectionResponse> {
  const steps: Step[] = [];
  const started = Date.now();
  if (host.local) {
    const p = listPath ?? "/";
    const r = await listStep(() => openLocalSource(p), p, "this agent's machine");
    steps.push({ ...r.step, durationMs: Date.now() - started });
    return { v: 1, ok: r.step.ok, steps, fingerprint: null, entries: r.entries };
  }
  const onStep = (s: ConnectStep) => steps.push({ ...s, durationMs: Math.max(0, Math.round(s.durationMs)) });
  let fingerprint: string | null = null;
  let client;
  try {
    const c = await connectToHost(host, { ...ctx, checkHostKey: ctx.checkHostKey ?? (async (h) => h.hostKeyFingerprint === null), onStep });
    client = c.client;
    fingerprint = c.fingerprint;
  } catch (err) {
    if (err instanceof HostConnectError) return { v: 1, ok: false, steps, fingerprint: err.fingerprint };
    throw err;
  }
  const p = listPath ?? ".";
  const t = Date.now();
  const r = await listStep(() => openSftpSource(client, p, hostLabel(host)), p, hostLabel(host));
  steps.push({ ...r.step, durationMs: Date.now() - t });
  client.end();
  return { v: 1, ok: steps.every((s) => s.ok), steps, fingerprint, entries: r.entries };
}

async function listStep(open: () => Promise<Source>, p: string, where: string): Promise<{ step: Omit<Step, "durationMs">; entries?: string[] }> {
  let src: Source | undefined;
  try {
    src = await open();
    const list = await src.list(Buffer.alloc(0));
    const entries = list.slice(0, LIST_SHOWN).map((e) => e.name.toString("utf8") + (e.type === "dir" ? "/" : ""));
    const more = list.length > LIST_SHOWN ? ` (showing ${LIST_SHOWN})` : "";
    return { step: { step: "list", ok: true, message: `Listed "${p}" on ${where}: ${list.length} entr${list.length === 1 ? "y" : "ies"}${more}` }, entries };
  } catch (err) {
    return { step: { step: "list", ok: false, message: (err as Error).message } };
  } finally {
    await src?.close();
  }
}

export interface PreviewRequest {
  host: HostConnection;
  sources: string[];
  includes: string[];
  excludes: string[];
  limit: number;
}

/** Stops a preview walk after this long even when fewer than `limit` entries were found. */
const PREVIEW_BUDGET_MS = 20_000;

/** The first `limit` paths a mirror job with these sources and rules would back up from the host. */
export async function previewSelection(req: PreviewRequest, ctx: OpenSourceContext & { budgetMs?: number }): Promise<SelectionPreviewResponse> {
  const { root, rules } = mirrorSelection(req.sources, req.includes, req.excludes);
  let source: Source;
  if (req.host.local) source = await openLocalSource(root);
  else {
    const { client } = await connectToHost(req.host, ctx);
    source = await openSftpSource(client, root, hostLabel(req.host));
  }
  let scanned = 0;
  let excluded = 0;
  const entries: SelectionPreviewResponse["entries"] = [];
  const deadline = Date.now() + (ctx.budgetMs ?? PREVIEW_BUDGET_MS);
  let truncated = false;
  try {
    const rootEntry = await source.stat(Buffer.alloc(0));
    const rdiffSelection = buildSelection(source.root, rules, rootEntry.dev);
    const selection = {
      select(rel: Buffer, e: SourceEntry) {
        const v = rdiffSelection.select(rel, e);
        scanned++;
        if (v === 0) excluded++;
        return v;
      },
    };
    for await (const item of selectedWalk(source, selection, () => undefined)) {
      if (item.path.length === 0) continue; // the root itself, always there
      if (entries.length >= req.limit || Date.now() > deadline || ctx.signal?.aborted) {
        truncated = true;
        break;
      }
      entries.push({ path: path.posix.join(root, item.path.toString("utf8")), type: item.entry.type, size: sizeOf(item.entry) });
    }
  } finally {
    await source.close();
  }
  return { v: 1, entries, truncated, scanned, excluded };
}

function sizeOf(e: SourceEntry): number {
  return e.type === "file" ? e.size : 0;
}
