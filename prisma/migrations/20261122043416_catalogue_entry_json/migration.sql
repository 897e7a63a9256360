-- AlterTable
ALTER TABLE "FileVersion" ADD COLUMN     "entryJson" TEXT;

-- Backfill: the listing JSON of every existing version (lib/data/catalogue/sql.ts, entryJsonOf).
UPDATE "FileVersion" f SET "entryJson" = json_build_array(f."name", f."type", f."size", date_part('epoch', f."mtime"), f."mode", f."uid", f."gid",
  f."digest", f."linkTarget", encode(f."rawPath", 'base64'))::text;
