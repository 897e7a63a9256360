// API callers by Bearer token on real PostgreSQL: a valid token names its user, a revoked one is refused, and
// "last used" is written at most once a minute per token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "@/lib/db/test-db";

let tdb: TestDatabase;
let apiCaller: typeof import("@/lib/auth/caller").apiCaller;
let token: string;
let tokenId: string;

beforeAll(async () => {
  const { createConsoleTestDatabase } = await import("@/lib/db/test-db");
  tdb = await createConsoleTestDatabase();
  ({ apiCaller } = await import("@/lib/auth/caller"));
  const { newToken, hashToken } = await import("@/lib/auth/tokens");
  const user = await tdb.prisma.user.create({ data: { email: "ops@example.org", name: "Ops", role: "operator", passwordHash: "x" } });
  token = newToken("pat");
  tokenId = (await tdb.prisma.apiToken.create({ data: { userId: user.id, name: "ci", prefix: token.slice(0, 16), tokenHash: hashToken(token) } })).id;
});

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db().$disconnect();
  await tdb?.drop();
});

const call = (t: string) => apiCaller(new Request("http://strata.test/api/v1/hosts", { headers: { authorization: `Bearer ${t}` } }));
const lastUsed = async () => (await tdb.prisma.apiToken.findUniqueOrThrow({ where: { id: tokenId } })).lastUsedAt;

describe("apiCaller", () => {
  it("names the token's user and writes last used once a minute, not on every request", async () => {
    expect(await call(token)).toMatchObject({ email: "ops@example.org", role: "operator", via: "token" });
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await call(token);
    expect(await lastUsed()).toEqual(first);
    // A minute later the next request writes it again.
    await tdb.prisma.apiToken.update({ where: { id: tokenId }, data: { lastUsedAt: new Date(first!.getTime() - 61_000) } });
    await call(token);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(first!.getTime() - 61_000);
  });

  it("refuses an unknown or revoked token", async () => {
    expect(await call("strata_pat_nope")).toBeNull();
    await tdb.prisma.apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
    expect(await call(token)).toBeNull();
  });
});
