// A restore written to a host through a Target (agent/sources/target.ts: local directory or SFTP): directories,
// regular files (atomic, never replacing unless `overwrite`), symlinks, modes, times and, where permitted, owners.
// Fifos, sockets and devices cannot be made over SFTP and are skipped with a warning; hard links become copies.
import { Readable } from "node:stream";
import type { RestoreOutput, WalkEntry } from "../engines/mirror/index";
import type { Target } from "../sources/target";

/** RestoreOutput over a Target; `bytes` and `files` count what was written. */
export class TargetOutput implements RestoreOutput {
  readonly concurrency = 4;
  bytes = 0;
  files = 0;
  private readonly dirs: WalkEntry[] = [];

  /** `name`: restoring one non-directory, the name it gets inside the target directory. */
  constructor(
    private readonly target: Target,
    private readonly opts: { overwrite: boolean; onWarning: (w: string) => void; name?: Buffer },
  ) {}

  private at(e: WalkEntry): Buffer {
    if (!this.opts.name) return e.rel;
    return e.rel.length ? Buffer.concat([this.opts.name, Buffer.from("/"), e.rel]) : this.opts.name;
  }

  async entry(e: WalkEntry): Promise<void> {
    const r = e.record;
    const at = this.at(e);
    const overwrite = this.opts.overwrite;
    switch (r.type) {
      case "dir":
        await this.target.mkdirp(at, 0o700);
        this.dirs.push(e);
        return;
      case "reg": {
        if (e.warning) this.opts.onWarning(e.warning);
        this.bytes += await this.target.writeFile(at, Readable.from(e.open()), { mode: r.perms ?? 0o644, overwrite });
        this.files++;
        // Numeric owners as recorded (right when restoring to the machine backed up); refused unless permitted.
        if (r.uid !== undefined && r.gid !== undefined) await this.target.chown(at, r.uid, r.gid);
        if (r.mtime !== undefined) await this.target.utimes(at, r.mtime);
        return;
      }
      case "sym":
        await this.target.symlink(at, r.symData ?? Buffer.alloc(0), { overwrite });
        this.files++;
        return;
      default:
        this.opts.onWarning(`Skipped "${e.path.toString("utf8")}": ${r.type} entries are not restored to hosts`);
    }
  }

  /** Directory modes and times last (writing inside a directory changes its time). */
  async finish(): Promise<void> {
    for (const e of this.dirs.reverse()) {
      const r = e.record;
      const at = this.at(e);
      if (r.uid !== undefined && r.gid !== undefined) await this.target.chown(at, r.uid, r.gid);
      await this.target.chmod(at, r.perms ?? 0o755);
      if (r.mtime !== undefined) await this.target.utimes(at, r.mtime);
    }
  }
}
