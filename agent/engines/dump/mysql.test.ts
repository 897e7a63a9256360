import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpMysql, optionFileValue } from "./mysql";
import { makeDumpContext, requireTool, sh } from "./test-support";

const MY = "mariadb -h127.0.0.1 -P3306 -uroot";
const tag = randomBytes(4).toString("hex");
const SRC = `strata_t_src_${tag}`;
const DST = `strata_t_dst_${tag}`;
const USER = `strata_t_${tag}`;
// Quotes, backslash, colon and a hash exercise the option-file escaping.
const PASSWORD = `p"w\\d:x#y '${tag}`;

function sqlString(s: string): string {
  return `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function rows(db: string): string {
  return sh(`${MY} -B -N ${db} -e "select id, name, HEX(data), amount from items order by id"`);
}

beforeAll(() => {
  requireTool("mariadb-dump");
  requireTool("mariadb");
  sh(`${MY}`, `
    CREATE DATABASE ${SRC}; CREATE DATABASE ${DST};
    CREATE TABLE ${SRC}.items (id INT PRIMARY KEY, name VARCHAR(100) CHARACTER SET utf8mb4, data BLOB, amount DECIMAL(10,2));
    INSERT INTO ${SRC}.items VALUES (1, 'plain', NULL, 1.50), (2, 'quote '' and \\\\ back', x'00ff10', -3.25),
      (3, 'Grüße ✓', x'', 0), (4, NULL, x'deadbeef', 99999.99);
    CREATE USER '${USER}'@'%' IDENTIFIED BY ${sqlString(PASSWORD)};
    GRANT ALL ON ${SRC}.* TO '${USER}'@'%';`);
});

afterAll(() => {
  sh(`${MY} -e "DROP DATABASE IF EXISTS ${SRC}; DROP DATABASE IF EXISTS ${DST}; DROP USER IF EXISTS '${USER}'@'%';"`);
});

describe("mysql dump", () => {
  it("dumps one database with a password user into a gzip archive that loads into a fresh database with the same rows", async () => {
    const t = await makeDumpContext();
    try {
      const out = await dumpMysql(t.ctx, {
        databases: [SRC],
        user: USER,
        password: PASSWORD,
        host: "127.0.0.1",
        port: 3306,
        compression: "gzip",
      });
      const name = `bmhost-mysql-${SRC}.20270301.sql.gz`;
      expect(out.outputs.map((o) => o.name)).toEqual([name]);
      expect(await t.list()).toEqual(["bmhost-hashes.md5", "bmhost-hashes.sha256", name]);
      sh(`gzip -t '${path.join(t.repository, name)}'`);
      sh(`gzip -dc '${path.join(t.repository, name)}' | ${MY} ${DST}`);
      expect(rows(DST)).toBe(rows(SRC));
      expect(rows(DST).split("\n").filter(Boolean)).toHaveLength(4);
      // The password never reached a command line or a child's environment, and its file is gone.
      for (const s of t.runner.started) {
        expect(s.argv.join(" ")).not.toContain(PASSWORD);
        expect(JSON.stringify(s.env ?? {})).not.toContain(PASSWORD);
        expect(s.argv[1]).toMatch(/^--defaults-extra-file=/);
      }
      expect(t.runner.secrets).toHaveLength(1);
      expect(t.secretsGone()).toBe(true);
      expect(sh(`cd '${t.repository}' && sha256sum -c bmhost-hashes.sha256`)).toContain(": OK");
    } finally {
      await t.cleanup();
    }
  });

  it("dumps all visible databases one archive each, in bzip2, skipping system schemas", async () => {
    const t = await makeDumpContext();
    try {
      const out = await dumpMysql(t.ctx, {
        databases: "all",
        user: USER,
        password: PASSWORD,
        host: "127.0.0.1",
        port: 3306,
        compression: "bzip2",
      });
      expect(out.outputs.map((o) => o.name)).toEqual([`bmhost-mysql-${SRC}.20270301.sql.bz2`]);
      const sql = sh(`bzip2 -dc '${out.outputs[0].path}'`);
      expect(sql).toContain("CREATE TABLE `items`");
    } finally {
      await t.cleanup();
    }
  });

  it("writes the all-in-one archive with --all-databases when separately is off", async () => {
    const t = await makeDumpContext();
    try {
      const out = await dumpMysql(t.ctx, {
        databases: "all",
        separately: false,
        user: USER,
        password: PASSWORD,
        host: "127.0.0.1",
        port: 3306,
        compression: "none",
      });
      expect(out.outputs.map((o) => o.name)).toEqual(["bmhost-all-mysql-databases.20270301.sql"]);
      const sql = sh(`cat '${out.outputs[0].path}'`);
      expect(sql).toContain(`CREATE DATABASE /*!32312 IF NOT EXISTS*/ \`${SRC}\``);
    } finally {
      await t.cleanup();
    }
  });

  it("fails with a clear error on a wrong password and leaves no dump, no part file and no option file", async () => {
    const t = await makeDumpContext();
    try {
      await expect(
        dumpMysql(t.ctx, {
          databases: [SRC],
          user: USER,
          password: "wrong",
          host: "127.0.0.1",
          port: 3306,
          compression: "gzip",
        }),
      ).rejects.toThrow(/Cannot write dump of MySQL database ".*": mariadb-dump exited with code 2: .*Access denied/);
      expect(await t.list()).toEqual([]);
      expect(t.secretsGone()).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  it("escapes option-file values", () => {
    expect(optionFileValue('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });
});
