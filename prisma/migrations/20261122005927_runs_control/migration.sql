-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "transport" TEXT NOT NULL DEFAULT 'ssh';

-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "overdueNotifiedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "cancelRequestedAt" TIMESTAMP(3),
ADD COLUMN     "logLines" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "notifiedAt" TIMESTAMP(3),
ADD COLUMN     "params" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "progress" JSONB;

-- CreateIndex
CREATE INDEX "Run_agentId_status_idx" ON "Run"("agentId", "status");
