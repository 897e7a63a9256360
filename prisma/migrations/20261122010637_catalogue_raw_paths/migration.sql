-- DropIndex
DROP INDEX "FileVersion_repositoryId_path_validFrom_idx";

-- DropIndex
DROP INDEX "FileVersion_repositoryId_name_idx";

-- AlterTable
ALTER TABLE "FileVersion" ADD COLUMN     "rawPath" BYTEA;

-- CreateIndex
CREATE INDEX "FileVersion_repositoryId_path_validFrom_idx" ON "FileVersion"("repositoryId", "path", "validFrom" DESC);
