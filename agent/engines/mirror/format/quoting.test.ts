import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeQuoting, quoteRelPath, readQuoting } from "./quoting";

const b = (s: string) => Buffer.from(s);

describe("filename quoting", () => {
  const q = makeQuoting(b("A-Z:"));

  it("quotes the chars_to_quote class and ';' as ;NNN decimal", () => {
    expect(quoteRelPath(q, b("SubDir/File")).toString()).toBe(";083ub;068ir/;070ile");
    expect(q.quote(b("UPPER:colon.txt")).toString()).toBe(";085;080;080;069;082;058colon.txt");
    expect(q.quote(b("semi;colon")).toString()).toBe("semi;059colon");
  });

  it("unquotes back to the original bytes, non-UTF-8 included", () => {
    for (const s of [b("SubDir"), b("a;b:C"), Buffer.from([0xff, 0x41, 0x3b])]) {
      expect(q.unquote(q.quote(s)).equals(s)).toBe(true);
    }
  });

  it("escapes trailing spaces and DOS device names when special_escapes asks", () => {
    const e = makeQuoting(Buffer.alloc(0), "escape_trailing_spaces\nescape_dos_devices\n");
    expect(e.quote(b("name ")).toString()).toBe("name;032");
    expect(e.quote(b("aux.txt")).toString()).toBe(";097ux.txt");
    expect(e.unquote(b(";097ux.txt")).toString()).toBe("aux.txt");
  });

  it("is the identity for an empty chars_to_quote", () => {
    expect(makeQuoting(Buffer.alloc(0)).identity).toBe(true);
  });

  it("matches the names the real rdiff-backup stores with --chars-to-quote", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "strata-quote-"));
    try {
      const src = path.join(dir, "src");
      mkdirSync(path.join(src, "SubDir"), { recursive: true });
      writeFileSync(path.join(src, "SubDir", "File"), "x");
      writeFileSync(path.join(src, "UPPER:colon.txt"), "y");
      execFileSync("rdiff-backup", ["--chars-to-quote", "A-Z:", "backup", src, path.join(dir, "repo")], { stdio: "pipe" });
      const rq = await readQuoting(path.join(dir, "repo", "rdiff-backup-data"));
      const stored = readdirSync(path.join(dir, "repo")).filter((n) => n !== "rdiff-backup-data").sort();
      expect(stored).toEqual([rq.quote(b("SubDir")).toString(), rq.quote(b("UPPER:colon.txt")).toString()].sort());
      expect(rq.unquote(b(stored[0])).toString()).not.toContain(";");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
