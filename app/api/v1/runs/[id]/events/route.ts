// GET /api/v1/runs/{id}/events: the run's live log as server-sent events. `log` events carry new lines (event id =
// lines sent, so a reconnect with Last-Event-ID resumes), `status` events the state, `end` the final status.
import { apiRoute } from "@/lib/api/handler";
import { getRun, runLogSince } from "@/lib/data/runs";

export const dynamic = "force-dynamic";

/** How often the stream looks at the run. */
const POLL_MS = 500;
const KEEPALIVE_MS = 15_000;

export const GET = apiRoute<{ id: string }>({}, async (req, caller, { id }) => {
  await getRun(caller, id);
  const from = Number(req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("from") ?? 0);
  let sent = Number.isInteger(from) && from > 0 ? from : 0;
  let closed = false;
  const enc = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: string, data: unknown, eventId?: number) =>
        controller.enqueue(enc.encode(`event: ${event}\n${eventId !== undefined ? `id: ${eventId}\n` : ""}data: ${JSON.stringify(data)}\n\n`));
      let lastState = "";
      let lastWrite = Date.now();
      req.signal.addEventListener("abort", () => (closed = true));
      try {
        controller.enqueue(enc.encode("retry: 2000\n\n"));
        while (!closed) {
          const s = await runLogSince(id, sent);
          if (!s) {
            send("end", { status: "gone" });
            break;
          }
          if (s.lines.length) {
            send("log", { offset: sent, lines: s.lines }, sent + s.lines.length);
            sent += s.lines.length;
            lastWrite = Date.now();
          }
          const state = { status: s.status, progress: s.progress, logLines: s.logLines, droppedLogLines: s.droppedLogLines, startedAt: s.startedAt, finishedAt: s.finishedAt, reason: s.reason };
          if (JSON.stringify(state) !== lastState) {
            send("status", state);
            lastState = JSON.stringify(state);
            lastWrite = Date.now();
          }
          if (s.final) {
            send("end", { status: s.status });
            break;
          }
          if (Date.now() - lastWrite > KEEPALIVE_MS) {
            controller.enqueue(enc.encode(": keep-alive\n\n"));
            lastWrite = Date.now();
          }
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      } catch (err) {
        if (!closed) console.error(`Live log of run ${id} stopped: ${(err as Error).message}`);
      }
      if (!closed) controller.close();
    },
    cancel() {
      closed = true;
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" } });
});
