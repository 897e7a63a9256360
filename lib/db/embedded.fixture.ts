// Test helper process for embedded.test.ts: opens the embedded database in argv[2], migrates it,
// writes one user, prints "READY <url>" and keeps running until it is killed.
import { createPrismaClient } from "./client";
import { startEmbeddedDatabase } from "./embedded";
import { applyMigrations } from "./migrate";

const embedded = await startEmbeddedDatabase({ dataDir: process.argv[2] });
await applyMigrations(embedded.url);
const prisma = createPrismaClient(embedded.url);
await prisma.user.create({ data: { email: "before-kill@example.org", name: "Before kill", passwordHash: "h", role: "admin" } });
// Keep the connection open and write more while the parent kills us.
console.log(`READY ${embedded.url}`);
for (let i = 0; ; i++) {
  await prisma.loginAttempt.create({ data: { email: "before-kill@example.org", ip: "127.0.0.1", success: i % 2 === 0 } });
}
