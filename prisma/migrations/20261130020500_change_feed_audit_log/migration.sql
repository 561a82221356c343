-- AlterEnum
ALTER TYPE "ApiScope" ADD VALUE 'READ_AUDIT';

-- CreateEnum
CREATE TYPE "LineFeedKind" AS ENUM ('LISTED', 'UPDATED', 'STATUS_CHANGED', 'FLAGS_CHANGED', 'CANCELLED');

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "actorName" TEXT;

-- CreateTable
CREATE TABLE "LineChange" (
    "accountId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "lineId" UUID NOT NULL,
    "kind" "LineFeedKind" NOT NULL,
    "changedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LineChange_pkey" PRIMARY KEY ("accountId","seq")
);

-- CreateTable
CREATE TABLE "LineChangeCounter" (
    "accountId" UUID NOT NULL,
    "last" INTEGER NOT NULL DEFAULT 0,
    "prunedThrough" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "LineChangeCounter_pkey" PRIMARY KEY ("accountId")
);

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_idx" ON "AuditEvent"("createdAt");

-- CreateIndex
CREATE INDEX "LineChange_changedAt_idx" ON "LineChange"("changedAt");

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_receiptId_fkey" FOREIGN KEY ("receiptId") REFERENCES "Receipt"("id") ON DELETE SET NULL ON UPDATE CASCADE;
