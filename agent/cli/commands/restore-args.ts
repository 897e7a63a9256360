// Argument handling shared by the read verbs (restore, list, remove, verify): options, REPO[/PATH], time specs.
import { parseArgs } from "node:util";
import { AgentError } from "../../errors";
import { locateRepository, openRepository, timeForRepo, type MirrorRepo } from "../../engines/mirror/read/index";

type OptionSpec = Record<string, { type: "string" | "boolean" }>;

/** Parses argv for a read verb; unknown options and wrong positional counts are usage errors. */
export function parseReadArgs<T extends OptionSpec>(
  verb: string,
  usage: string,
  args: string[],
  options: T,
  positionals: { min: number; max: number },
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, "current-time": { type: "string" } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new AgentError("usage", `${(err as Error).message.split("\n")[0]}\n\n${usage}`);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min || n > positionals.max) throw new AgentError("usage", `Wrong arguments for "${verb}"\n\n${usage}`);
  const ct = (parsed.values as Record<string, unknown>)["current-time"] as string | undefined;
  if (ct !== undefined && !/^[0-9]+$/.test(ct)) throw new AgentError("usage", `Option "--current-time" needs epoch seconds, got "${ct}"`);
  return { values: parsed.values as { [K in keyof T]?: T[K]["type"] extends "string" ? string : boolean }, positionals: parsed.positionals, now: ct ? Number(ct) : undefined };
}

/** Opens REPO[/PATH] (or REPO plus an explicit PATH) for reading. */
export async function openRepoArg(arg: string, explicitPath?: string): Promise<{ repo: MirrorRepo; sub: Buffer }> {
  const { root, sub } = await locateRepository(arg);
  const repo = await openRepository(root);
  const extra = explicitPath ? Buffer.from(explicitPath.replace(/^\/+|\/+$/g, "")) : Buffer.alloc(0);
  const full = sub.length && extra.length ? Buffer.concat([sub, Buffer.from("/"), extra]) : sub.length ? sub : extra;
  return { repo, sub: full };
}

/** Resolves a time option (required unless a default is given). */
export function timeArg(repo: MirrorRepo, spec: string | undefined, option: string, now?: number, fallback?: string): number {
  const s = spec ?? fallback;
  if (s === undefined) throw new AgentError("usage", `Option "${option}" is required`);
  return timeForRepo(repo, s, now);
}

/** Writes one line to stdout. */
export function say(line: string): void {
  process.stdout.write(line + "\n");
}
