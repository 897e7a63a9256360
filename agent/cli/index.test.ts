import { describe, expect, it } from "vitest";
import { commands } from "./commands/index";
import { helpText, runCli } from "./index";

describe("strata-agent CLI registry", () => {
  it("lists every verb in --help and each lazy entry loads the verb it names, with the same summary", async () => {
    const help = helpText();
    for (const entry of commands) {
      const cmd = await entry.load();
      expect(cmd.names).toEqual(entry.names);
      expect(cmd.summary).toBe(entry.summary);
      expect(help).toContain(entry.names.join(" "));
    }
  });

  it("refuses an unknown verb with a usage error", async () => {
    await expect(runCli(["frobnicate"])).rejects.toMatchObject({ kind: "usage" });
  });

  it("prints a verb's usage for --help without running it", async () => {
    let out = "";
    expect(await runCli(["backup", "--help"], (s) => (out += s))).toBe(0);
    expect(out).toMatch(/backup/);
  });
});
