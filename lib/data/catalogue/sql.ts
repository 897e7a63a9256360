// Small SQL helpers for the catalogue's raw queries: epoch seconds <-> timestamp(3) columns (stored as UTC).
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
