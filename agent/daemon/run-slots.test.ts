import { describe, expect, it } from "vitest";
import { RunSlots } from "./run-slots";

describe("RunSlots", () => {
  it("grants up to max at once, then in arrival order as slots come back", async () => {
    const s = new RunSlots(2);
    const never = new AbortController().signal;
    expect(await s.take(never)).toBe(true);
    expect(await s.take(never)).toBe(true);
    expect(s.free).toBe(false);
    const order: string[] = [];
    const third = s.take(never).then((ok) => order.push(`third ${ok}`));
    const fourth = s.take(never).then((ok) => order.push(`fourth ${ok}`));
    await Promise.resolve();
    expect(order).toEqual([]);
    s.release();
    await third;
    expect(order).toEqual(["third true"]);
    s.release();
    await fourth;
    expect(order).toEqual(["third true", "fourth true"]);
    s.release();
    s.release();
    expect(s.free).toBe(true);
  });

  it("a waiter whose signal aborts leaves the queue without a slot", async () => {
    const s = new RunSlots(1);
    expect(await s.take(new AbortController().signal)).toBe(true);
    const ac = new AbortController();
    const waiting = s.take(ac.signal);
    ac.abort();
    expect(await waiting).toBe(false);
    s.release();
    expect(s.free).toBe(true);
    expect(await s.take(ac.signal)).toBe(false);
    expect(() => new RunSlots(0)).toThrow('Invalid number of concurrent runs "0": use 1 or more');
  });
});
