// The read-ahead's bookkeeping without a server: a fake SFTP client records which files get opened.
import { describe, expect, it } from "vitest";
import { ReadAhead } from "./read-ahead";
import type { SftpClient } from "./sftp-client";

function fakeSftp() {
  const opened: string[] = [];
  const sftp = {
    extensions: new Map([["limits@openssh.com", "1"]]),
    open: async (abs: Buffer) => (opened.push(abs.toString()), Buffer.from("h")),
    read: async (_h: Buffer, offset: number, length: number) => (offset === 0 ? Buffer.alloc(length) : null),
    closeHandle: async () => undefined,
  } as unknown as SftpClient;
  return { sftp, opened };
}

const files = (names: string[]) => names.map((n) => ({ name: Buffer.from(n), size: 10 }));

describe("read-ahead", () => {
  it("keeps a directory's reading state while the walk is in a subtree of more than 256 directories", async () => {
    const { sftp, opened } = fakeSftp();
    const ra = new ReadAhead(sftp, (p) => p);
    const before = Array.from({ length: 8 }, (_, i) => `a${i}`);
    const after = Array.from({ length: 80 }, (_, i) => `z${String(i).padStart(2, "0")}`);
    ra.listed(Buffer.from("top"), files([...before, ...after])); // a*, then the folder "top/m", then z*
    for (const n of before) await ra.take(Buffer.from(`top/${n}`));
    ra.listed(Buffer.from("top/m"), []);
    for (let i = 0; i < 300; i++) ra.listed(Buffer.from(`top/m/d${String(i).padStart(3, "0")}`), files(["x"]));
    opened.length = 0;
    // Back from the subtree, in order: z00 was read ahead before it, and reading goes on past the window.
    expect(await ra.take(Buffer.from("top/z00"))).not.toBeNull();
    expect(opened).toContain("top/z32");
  });
});
