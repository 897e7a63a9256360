// Test helper for the read verbs: runs the strata-agent CLI in-process and captures stdout and the exit code.
import { vi } from "vitest";
import { runCli } from "../index";
import { exitCodeFor } from "../../errors";

/** Runs `strata-agent <argv>`; resolves to stdout, the error message (if any) and the exit code. */
export async function runAgent(argv: string[]): Promise<{ stdout: string; error?: string; code: number }> {
  let stdout = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const code = await runCli(argv, (s) => { stdout += s + "\n"; });
    return { stdout, code };
  } catch (e) {
    return { stdout, error: e instanceof Error ? e.message : String(e), code: exitCodeFor(e) };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}
