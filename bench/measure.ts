// Runs one benchmarked command under GNU time: wall time, peak RSS (largest process of the tree), CPU time,
// exit code.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface Measurement {
  seconds: number;
  peakRssMb: number;
  /** User + system CPU seconds of the command and its children. */
  cpuSeconds: number;
}

const GNU_TIME = "/usr/bin/time";

/** Runs `cmd args` and measures it; rejects with the tail of its output when it fails. */
export async function measure(cmd: string, args: string[], opts: { cwd?: string; okCodes?: number[] } = {}): Promise<Measurement> {
  if (!existsSync(GNU_TIME)) throw new Error(`GNU time is required at "${GNU_TIME}" (Debian package "time")`);
  const out = path.join(tmpdir(), `strata-bench-time-${process.pid}-${Date.now()}`);
  const started = performance.now();
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve, reject) => {
    const child = spawn(GNU_TIME, ["-f", "%U %S %M", "-o", out, cmd, ...args], { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (c: Buffer) => {
      output = (output + c.toString()).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("close", (c) => resolve({ code: c ?? 1, output }));
  });
  const seconds = (performance.now() - started) / 1000;
  const timeOut = existsSync(out) ? readFileSync(out, "utf8") : "";
  rmSync(out, { force: true });
  if (!(opts.okCodes ?? [0]).includes(code)) {
    throw new Error(`Command "${[cmd, ...args].join(" ")}" failed with exit code ${code}:\n${output.trim()}`);
  }
  const [user, sys, kb] = (timeOut.trim().split("\n").pop() ?? "").split(" ").map(Number);
  return { seconds, peakRssMb: Number.isFinite(kb) ? kb / 1024 : NaN, cpuSeconds: user + sys };
}

/** Formats rows as a Markdown table with right-aligned numbers. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? "").length)));
  const line = (r: Array<string | number>) => `| ${r.map((c, i) => String(c ?? "").padEnd(widths[i])).join(" | ")} |`;
  return [line(cells[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return "n/a";
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function mb(bytes: number): number {
  return bytes / (1024 * 1024);
}
