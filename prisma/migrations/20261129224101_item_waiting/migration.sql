-- CreateEnum
CREATE TYPE "WaitingFor" AS ENUM ('CARRIER', 'MAIL_SERVER');

-- AlterTable
ALTER TABLE "ReceiptItem" ADD COLUMN     "firstAttemptAt" TIMESTAMP(3),
ADD COLUMN     "retryAt" TIMESTAMP(3),
ADD COLUMN     "waitingFor" "WaitingFor";
