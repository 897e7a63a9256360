// Small SQL helpers for the catalogue's raw queries: epoch seconds <-> timestamp(3) columns (stored as UTC), and the
// listing JSON of a version.
import { Prisma, type PrismaClient } from "@/lib/generated/prisma/client";

/** A Prisma client or an interactive transaction's client. */
export type Client = PrismaClient | Prisma.TransactionClient;

/** SQL for the UTC timestamp of epoch seconds `sec` (how Prisma stores DateTime). */
export function ts(sec: number): Prisma.Sql {
  return Prisma.sql`(to_timestamp(${sec}::float8) AT TIME ZONE 'UTC')`;
}

/** SQL for the epoch seconds of a timestamp column (null stays null). */
export function epoch(column: string): Prisma.Sql {
  return Prisma.raw(`extract(epoch from ${column})::float8`);
}

/** Epoch seconds of a Date. */
export function toEpoch(d: Date): number {
  return d.getTime() / 1000;
}

/** A Date from epoch seconds (null-safe). */
export function fromEpoch(sec: number | null | undefined): Date | null {
  return sec === null || sec === undefined ? null : new Date(Math.round(sec * 1000));
}

/**
 * SQL for a version's listing JSON (`FileVersion.entryJson`) from the columns of `alias`: a stored row, or the values
 * ingest is about to insert (typed as the columns, so the text matches what a stored row would give).
 */
export function entryJsonOf(alias: string): Prisma.Sql {
  const c = (column: string) => `${alias}."${column}"`;
  return Prisma.raw(`json_build_array(${c("name")}, ${c("type")}, ${c("size")}, date_part('epoch', ${c("mtime")}), ${c("mode")}, ${c("uid")}, ${c("gid")},
    ${c("digest")}, ${c("linkTarget")}, encode(${c("rawPath")}, 'base64'))::text`);
}
