import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeSetEntry } from "@/lib/schemas/change-set";
import { extractFixture } from "../../engines/mirror/format/test-fixture";
import { useTz } from "../../engines/mirror/read/test-rdiff";
import { runAgent } from "./restore-cli";

describe("strata-agent list", () => {
  let fx: ReturnType<typeof extractFixture>;
  let tz: () => void;
  beforeAll(() => {
    fx = extractFixture();
    tz = useTz("UTC");
  });
  afterAll(() => {
    tz();
    fx.cleanup();
  });

  it("prints increments as text and as JSON", async () => {
    const text = await runAgent(["list", "increments", fx.repo]);
    expect(text.stdout).toMatch(/^Found 4 increments:\n/);
    const json = JSON.parse((await runAgent(["list", "increments", fx.repo, "--json"])).stdout);
    expect(json.map((i: { time: number }) => i.time)).toEqual([1711360800, 1711533600, 1711792800, 1712052000, 1712311200]);
    const sizes = JSON.parse((await runAgent(["list", "increment-sizes", fx.repo, "--json"])).stdout);
    expect(sizes[0]).toMatchObject({ time: 1711360800, size: 505 });
  });

  it("lists files at a time under a path, and changes since a time, with --json in change-set form", async () => {
    expect((await runAgent(["list", "files", fx.repo, "dir1", "--at", "5B"])).stdout).toBe("dir1\ndir1/dir2\ndir1/dir2/nested.txt\n");
    const lines = (await runAgent(["list", "changed", fx.repo, "--since", "2B", "--json"])).stdout.trim().split("\n");
    const entries = lines.map((l) => changeSetEntry.parse(JSON.parse(l)));
    expect(entries.find((e) => e.path === "late.txt")?.change).toBe("new");
    expect(entries.find((e) => e.path === "naïve-ü.txt")?.change).toBe("deleted");
    expect((await runAgent(["list", "changed", fx.repo])).code).toBe(2);
  });
});
