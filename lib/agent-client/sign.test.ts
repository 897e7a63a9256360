import { describe, expect, it } from "vitest";
import { signRequest, verifySignature } from "./sign";

const secret = "s3cret-of-the-agent";
const now = 1_800_000_000;
const exp = now + 60;
const path = "/v1/file?repo=web1&path=docs%2Fa.txt&at=1700000000";
const sig = signRequest(secret, "GET", path, exp);

describe("data-plane request signatures", () => {
  it("accepts the request it signed, whatever the query order", () => {
    expect(verifySignature(secret, "GET", path, exp, sig, now)).toBeNull();
    expect(verifySignature(secret, "GET", "/v1/file?at=1700000000&path=docs%2Fa.txt&repo=web1", String(exp), sig, now)).toBeNull();
  });

  it("refuses a tampered method, path, query value, added parameter, expiry or secret", () => {
    expect(verifySignature(secret, "POST", path, exp, sig, now)).toMatch(/does not match/);
    expect(verifySignature(secret, "GET", path.replace("/v1/file", "/v1/tree"), exp, sig, now)).toMatch(/does not match/);
    expect(verifySignature(secret, "GET", path.replace("a.txt", "b.txt"), exp, sig, now)).toMatch(/does not match/);
    expect(verifySignature(secret, "GET", path + "&offset=0", exp, sig, now)).toMatch(/does not match/);
    expect(verifySignature(secret, "GET", path, exp + 1, sig, now)).toMatch(/does not match/);
    expect(verifySignature("another-secret", "GET", path, exp, sig, now)).toMatch(/does not match/);
    const flipped = (sig[0] === "0" ? "1" : "0") + sig.slice(1);
    expect(verifySignature(secret, "GET", path, exp, flipped, now)).toMatch(/does not match/);
  });

  it("refuses an expired signature and one that expires too far ahead", () => {
    expect(verifySignature(secret, "GET", path, exp, sig, exp + 1)).toMatch(/expired/);
    const far = now + 3600;
    expect(verifySignature(secret, "GET", path, far, signRequest(secret, "GET", path, far), now)).toMatch(/too far ahead/);
  });

  it("refuses unsigned and malformed requests", () => {
    expect(verifySignature(secret, "GET", path, null, null, now)).toMatch(/not signed/);
    expect(verifySignature(secret, "GET", path, exp, undefined, now)).toMatch(/not signed/);
    expect(verifySignature(secret, "GET", path, "soon", sig, now)).toMatch(/not a number/);
    expect(verifySignature(secret, "GET", path, exp, "xyz", now)).toMatch(/malformed/);
  });
});
