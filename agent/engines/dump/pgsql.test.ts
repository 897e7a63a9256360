import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childEnv } from "./runner";
import { dumpPgsql, pgpassField } from "./pgsql";
import { makeDumpContext, requireTool, sh } from "./test-support";

const PSQL = "psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U postgres";
const tag = randomBytes(4).toString("hex");
const SRC = `strata_t_src_${tag}`;
const DST = `strata_t_dst_${tag}`;
const ROLE = `strata_t_${tag}`;
const PASSWORD = `p:w\\d'${tag}`;

function rows(db: string): string {
  return sh(`${PSQL} -At -d ${db} -c "select id, name, encode(data, 'hex'), amount, tags from items order by id"`);
}

const pgpassBefore = existsSync(path.join(os.homedir(), ".pgpass"))
  ? readFileSync(path.join(os.homedir(), ".pgpass"), "utf8")
  : null;

beforeAll(() => {
  requireTool("pg_dump");
  requireTool("psql");
  sh(`${PSQL} -d postgres`, `
    CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD.replaceAll("'", "''")}';
    CREATE DATABASE ${SRC} OWNER ${ROLE};
    CREATE DATABASE ${DST};`);
  sh(`${PSQL} -d ${SRC}`, `
    SET ROLE ${ROLE};
    CREATE TABLE items (id int PRIMARY KEY, name text, data bytea, amount numeric(10,2), tags text[]);
    INSERT INTO items VALUES (1, 'plain', NULL, 1.5, '{a,b}'), (2, E'tab\\there ''q''', '\\x00ff', -3.25, NULL),
      (3, 'Grüße ✓', '\\x', 0, '{}');`);
});

afterAll(() => {
  sh(`${PSQL} -d postgres -c "DROP DATABASE IF EXISTS ${SRC}" -c "DROP DATABASE IF EXISTS ${DST}" -c "DROP ROLE IF EXISTS ${ROLE}"`);
});

describe("pgsql dump", () => {
  it("dumps a database with pg_dump and a password file into xz, restoring into a fresh database with the same rows", async () => {
    const t = await makeDumpContext();
    try {
      const out = await dumpPgsql(t.ctx, {
        databases: [SRC],
        user: ROLE,
        password: PASSWORD,
        host: "127.0.0.1",
        port: 5432,
        compression: "xz",
      });
      const name = `bmhost-pgsql-${SRC}.20270301.sql.xz`;
      expect(out.outputs.map((o) => o.name)).toEqual([name]);
      sh(`xz -dc '${path.join(t.repository, name)}' | ${PSQL} -d ${DST}`);
      expect(rows(DST)).toBe(rows(SRC));
      expect(rows(DST).trim().split("\n")).toHaveLength(3);
      // The password travelled only in a 0600 file named by PGPASSFILE, which is gone now.
      const [started] = t.runner.started;
      expect(started.argv.join(" ")).not.toContain(PASSWORD);
      expect(Object.keys(started.env ?? {})).toEqual(["PGPASSFILE"]);
      expect(t.runner.secretContents[0]).toBe(`*:*:*:${ROLE}:${pgpassField(PASSWORD)}\n`);
      expect(t.secretsGone()).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  it("dumps every database into one pg_dumpall archive for databases \"all\"", async () => {
    const t = await makeDumpContext();
    try {
      const out = await dumpPgsql(t.ctx, {
        databases: "all",
        user: "postgres",
        host: "127.0.0.1",
        port: 5432,
        compression: "zstd",
        // Other test files create and drop databases while this runs; pg_dumpall fails on one that
        // vanishes between listing and dumping, so their transient families are left out.
        extraOptions: ["--schema-only", ...["strata_test_*", "strata_e2e_*", "strata_t_dst_*", "strata_t_run_*"].map((p) => `--exclude-database=${p}`)],
      });
      expect(out.outputs.map((o) => o.name)).toEqual(["bmhost-all-pgsql-databases.20270301.sql.zst"]);
      const sql = sh(`zstd -dcq '${out.outputs[0].path}'`);
      expect(sql).toContain(`CREATE DATABASE ${SRC}`);
      expect(sql).toContain("CREATE TABLE public.items");
    } finally {
      await t.cleanup();
    }
  });

  // The local server trusts 127.0.0.1, so a refused login is provoked with a role that does not exist.
  it("fails clearly when the server refuses the login, leaving no dump, and never touches ~/.pgpass", async () => {
    const t = await makeDumpContext();
    try {
      await expect(
        dumpPgsql(t.ctx, {
          databases: [SRC],
          user: `${ROLE}_missing`,
          password: "wrong",
          host: "127.0.0.1",
          port: 5432,
          compression: "gzip",
        }),
      ).rejects.toThrow(/Cannot write dump of PostgreSQL database ".*": pg_dump exited with code 1: .*does not exist/);
      expect(await t.list()).toEqual([]);
      expect(t.secretsGone()).toBe(true);
      const pgpass = path.join(os.homedir(), ".pgpass");
      expect(existsSync(pgpass) ? readFileSync(pgpass, "utf8") : null).toBe(pgpassBefore);
    } finally {
      await t.cleanup();
    }
  });

  it("does not pass inherited PGPASSWORD or MYSQL_PWD on to dump processes", () => {
    process.env.PGPASSWORD = "inherited";
    process.env.MYSQL_PWD = "inherited";
    try {
      const env = childEnv({ PGPASSFILE: "/x" });
      expect(env.PGPASSWORD).toBeUndefined();
      expect(env.MYSQL_PWD).toBeUndefined();
      expect(env.PGPASSFILE).toBe("/x");
    } finally {
      delete process.env.PGPASSWORD;
      delete process.env.MYSQL_PWD;
    }
  });
});
