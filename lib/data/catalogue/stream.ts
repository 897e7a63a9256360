// Change-set streams: NDJSON bytes to records, and a multi-session record stream split into sessions.
import { AppError } from "@/lib/errors";
import { changeSetEntry, changeSetHeader, type ChangeSetEntry, type ChangeSetHeader } from "@/lib/schemas/change-set";

/** Longest NDJSON line accepted (a path entry is far smaller). */
export const MAX_LINE_BYTES = 1 << 20;

/** JSON values of each non-empty line of an NDJSON byte stream; a bad line is a 400 naming its number. */
export async function* ndjsonRecords(body: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buf = "";
  let lineNo = 0;
  const parse = (line: string) => {
    lineNo++;
    try {
      return JSON.parse(line);
    } catch {
      throw new AppError("invalid", `Invalid change set: line ${lineNo} is not JSON`);
    }
  };
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield parse(line);
      else lineNo++;
    }
    if (buf.length > MAX_LINE_BYTES) throw new AppError("invalid", `Invalid change set: line ${lineNo + 1} is longer than ${MAX_LINE_BYTES} bytes`);
  }
  buf += decoder.decode();
  if (buf.trim()) yield parse(buf.trim());
}

function isHeader(rec: unknown): boolean {
  return typeof rec === "object" && rec !== null && (rec as { kind?: unknown }).kind === "header";
}

/** Validates one entry record (400 with the zod reasons when malformed). */
export function parseEntry(rec: unknown): ChangeSetEntry {
  const r = changeSetEntry.safeParse(rec);
  if (!r.success) throw new AppError("invalid", `Invalid change-set entry: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

/** Validates a header record. */
export function parseHeader(rec: unknown): ChangeSetHeader {
  const r = changeSetHeader.safeParse(rec);
  if (!r.success) throw new AppError("invalid", `Invalid change-set header: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

export interface SessionStream {
  header: ChangeSetHeader;
  /** This session's entries; must be consumed (or left untouched) before asking for the next session. */
  entries: AsyncIterable<ChangeSetEntry>;
}

/** Splits header/entries records (several sessions, oldest first) into one stream per session. */
export async function* changeSetSessions(records: AsyncIterable<unknown>): AsyncGenerator<SessionStream> {
  const it = records[Symbol.asyncIterator]();
  let next = await it.next();
  if (!next.done && !isHeader(next.value)) throw new AppError("invalid", "Invalid change set: the first line must be a header");
  while (!next.done) {
    const header = parseHeader(next.value);
    let finished = false;
    const entries = (async function* () {
      for (;;) {
        next = await it.next();
        if (next.done || isHeader(next.value)) break;
        yield parseEntry(next.value);
      }
      finished = true;
    })();
    yield { header, entries };
    if (!finished) for await (const _ of entries) void _;
  }
}
