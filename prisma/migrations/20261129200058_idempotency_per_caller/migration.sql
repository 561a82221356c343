-- DropIndex
DROP INDEX "Receipt_accountId_idempotencyKey_key";

-- AlterTable
ALTER TABLE "Receipt" ADD COLUMN     "idempotencyCallerId" UUID,
ADD COLUMN     "idempotencyFingerprint" CHAR(64);

-- Receipts keyed before this migration keep their keys: their caller is the
-- API token that made them, or else their administrator. They have no
-- fingerprint and replay for that caller as they always did. The old index was
-- unique per account, so no two of them can collide under the new one.
UPDATE "Receipt" SET "idempotencyCallerId" = COALESCE("apiTokenId", "adminId")
WHERE "idempotencyKey" IS NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Receipt_idempotencyCallerId_kind_idempotencyKey_key" ON "Receipt"("idempotencyCallerId", "kind", "idempotencyKey");
