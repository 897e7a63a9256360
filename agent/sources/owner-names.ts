// Maps numeric uid/gid to names from the local /etc/passwd and /etc/group (read once, cached).
import { readFileSync } from "node:fs";

/** Lookup functions for local user and group names; undefined when unknown. */
export function ownerNames(): { user(uid: number): string | undefined; group(gid: number): string | undefined } {
  const users = parse("/etc/passwd");
  const groups = parse("/etc/group");
  return { user: (uid) => users.get(uid), group: (gid) => groups.get(gid) };
}

const cache = new Map<string, Map<number, string>>();

function parse(file: string): Map<number, string> {
  const hit = cache.get(file);
  if (hit) return hit;
  const map = new Map<number, string>();
  try {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const f = line.split(":");
      if (f.length >= 3 && /^\d+$/.test(f[2]) && !map.has(Number(f[2]))) map.set(Number(f[2]), f[0]);
    }
  } catch {
    // no names: records carry ":" for none
  }
  cache.set(file, map);
  return map;
}
