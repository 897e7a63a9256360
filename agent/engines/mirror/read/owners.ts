// Owner mapping for restores, as rdiff-backup does by default: a recorded user/group name that exists on
// this system wins over the recorded number; otherwise the number is kept.
import { readFileSync } from "node:fs";

function readIds(file: string): Map<string, number> {
  const out = new Map<string, number>();
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    const [name, , id] = line.split(":");
    if (name && id !== undefined && /^[0-9]+$/.test(id) && !out.has(name)) out.set(name, Number(id));
  }
  return out;
}

/** Maps recorded owners to local ids (names from /etc/passwd and /etc/group, read once). */
export class OwnerMap {
  private users?: Map<string, number>;
  private groups?: Map<string, number>;

  constructor(private readonly numericOnly = false) {}

  uid(uid: number | undefined, uname: string | null | undefined): number {
    if (!this.numericOnly && uname) {
      this.users ??= readIds("/etc/passwd");
      const local = this.users.get(uname);
      if (local !== undefined) return local;
    }
    return uid ?? 0;
  }

  gid(gid: number | undefined, gname: string | null | undefined): number {
    if (!this.numericOnly && gname) {
      this.groups ??= readIds("/etc/group");
      const local = this.groups.get(gname);
      if (local !== undefined) return local;
    }
    return gid ?? 0;
  }
}
