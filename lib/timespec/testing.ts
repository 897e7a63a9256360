// Test oracle: runs rdiff-backup's own Time module (the installed rdiff-backup 2.2) in a given zone, so the
// tests compare Strata's time handling with upstream's answers instead of hand-computed expectations.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const PYTHON = "/usr/bin/python3";

const SCRIPT = `
import json, sys
from rdiff_backup import Time
req = json.loads(sys.stdin.read())
out = []
for fn, args in req:
    try:
        out.append(getattr(Time, fn)(*args))
    except Exception as e:
        out.append({"error": type(e).__name__})
print(json.dumps(out))
`;

/** Calls `rdiff_backup.Time.<fn>(...args)` for each request under TZ=`tz`; errors come back as `{ error }`. */
export function upstreamTime(tz: string, calls: Array<[string, unknown[]]>): unknown[] {
  if (!existsSync(PYTHON)) throw new Error(`"${PYTHON}" is required to compare with rdiff-backup's time code`);
  try {
    const out = execFileSync(PYTHON, ["-c", SCRIPT], { input: JSON.stringify(calls), env: { ...process.env, TZ: tz } });
    return JSON.parse(out.toString()) as unknown[];
  } catch (err) {
    throw new Error(`Cannot run rdiff-backup's time code (Debian package "rdiff-backup" required)`, { cause: err });
  }
}
