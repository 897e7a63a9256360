import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { localHost } from "../tasks/test-jobs";
import { ConsoleClient } from "./console-client";
import { hostKeyChecker } from "./host-keys";
import { TestConsole } from "./test-console";

const KEY_A = "SHA256:" + "A".repeat(43);
const KEY_B = "SHA256:" + "B".repeat(43);
let con: TestConsole;
const events: string[] = [];

beforeEach(async () => {
  con = await new TestConsole().start();
  events.length = 0;
});
afterEach(() => con.close());

describe("hostKeyChecker", () => {
  it("pins the first key through the console and refuses a different one", async () => {
    const check = hostKeyChecker(new ConsoleClient(con.url), con.token, (e) => void events.push(e));
    const host = { ...localHost("db1"), local: false };
    expect(await check(host, KEY_A)).toBe(true);
    expect(con.hostKeys.get(host.id)).toBe(KEY_A);
    expect(await check(host, KEY_A)).toBe(true);
    expect(await check(host, KEY_B)).toBe(false);
    expect(events).toEqual(["host-key.mismatch"]);
  });

  it("offline, trusts only the fingerprint pinned in the job list", async () => {
    const check = hostKeyChecker(new ConsoleClient(con.url), con.token, (e) => void events.push(e));
    con.down = true;
    const pinned = { ...localHost("db1"), local: false, hostKeyFingerprint: KEY_A };
    expect(await check(pinned, KEY_A)).toBe(true);
    expect(await check(pinned, KEY_B)).toBe(false);
    expect(await check({ ...pinned, hostKeyFingerprint: null }, KEY_A)).toBe(false);
    expect(events.every((e) => e === "host-key.offline")).toBe(true);
  });
});
