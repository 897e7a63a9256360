// Change sets an agent posts after a session (NDJSON: header with the repository path, then entries), for
// repositories registered on that agent only.
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { incrementUploadHeader, type IncrementRemoval } from "@/lib/schemas/catalogue";
import type { ChangeSetEntry } from "@/lib/schemas/change-set";
import { ingestChangeSet, type IngestResult } from "./ingest";
import { removeIncrements, type RemoveResult } from "./retention";
import { ndjsonRecords, parseEntry } from "./stream";

/** Ingests one posted change set from agent `agentId`; 404 when the repository is not that agent's. */
export async function ingestAgentChangeSet(agentId: string, body: AsyncIterable<Uint8Array>): Promise<IngestResult & { repositoryId: string }> {
  const records = ndjsonRecords(body)[Symbol.asyncIterator]();
  const first = await records.next();
  if (first.done) throw new AppError("invalid", "Invalid change set: the body is empty");
  const parsed = incrementUploadHeader.safeParse(first.value);
  if (!parsed.success) throw new AppError("invalid", `Invalid change-set header: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const header = parsed.data;
  const repo = await agentRepository(agentId, header.repository);
  if (repo.format !== header.format) throw new AppError("invalid", `Change set format "${header.format}" does not match repository "${header.repository}" (${repo.format})`);
  const entries = (async function* (): AsyncGenerator<ChangeSetEntry> {
    for (let r = await records.next(); !r.done; r = await records.next()) {
      if ((r.value as { kind?: unknown })?.kind === "header") throw new AppError("invalid", "Invalid change set: one session per request (a second header was sent)");
      yield parseEntry(r.value);
    }
  })();
  const { repository: _path, incrementKind, sizeBytes, archives, ...csHeader } = header;
  const result = await ingestChangeSet(db(), { repositoryId: repo.id, header: csHeader, entries, kind: incrementKind, sizeBytes, archives });
  return { ...result, repositoryId: repo.id };
}

async function agentRepository(agentId: string, path: string) {
  const repo = await db().repository.findFirst({ where: { agentId, path: path.replace(/(.)\/+$/, "$1") }, select: { id: true, format: true } });
  if (!repo) throw new AppError("not_found", `No repository "${path}" is registered for this agent`);
  return repo;
}

/** The agent's retention removed sessions: the catalogue drops those increments (see removeIncrements). */
export async function removeAgentIncrements(agentId: string, req: IncrementRemoval): Promise<RemoveResult & { repositoryId: string }> {
  const repo = await agentRepository(agentId, req.repository);
  return { ...(await removeIncrements(repo.id, req.times)), repositoryId: repo.id };
}
