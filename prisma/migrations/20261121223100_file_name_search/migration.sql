-- Name search over file versions: a trigram index serves ILIKE '%part%' (Prisma's
-- `contains` with `mode: "insensitive"`). pg_trgm ships with PostgreSQL (contrib) and is a
-- trusted extension, so a database owner can create it. The embedded PGlite loads it too.
-- No semicolons in comments: driver-adapter migration tools split scripts on them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "FileVersion_name_trgm_idx" ON "FileVersion" USING GIN ("name" gin_trgm_ops);
