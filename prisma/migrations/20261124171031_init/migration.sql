-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "AdminRole" AS ENUM ('MAIN', 'SUB', 'GROUP');

-- CreateEnum
CREATE TYPE "DeviceKind" AS ENUM ('FEATURE_PHONE_4G', 'IPHONE', 'SMARTPHONE', 'WINDOWS10_MOBILE', 'FEATURE_PHONE_3G');

-- CreateEnum
CREATE TYPE "ContractStatus" AS ENUM ('ACTIVE', 'CANCELLED');

-- CreateEnum
CREATE TYPE "LineStatus" AS ENUM ('IN_SERVICE', 'PROCESSING');

-- CreateEnum
CREATE TYPE "LineChangeKind" AS ENUM ('EXISTING', 'MODEL_CHANGE', 'INFO_CHANGE', 'NEW_LINE', 'MNP_PORT_IN');

-- CreateEnum
CREATE TYPE "ReceiptKind" AS ENUM ('PERMISSION_CHANGE', 'APP_DOWNLOAD_MAIL', 'PASSWORD_NOTICE_MAIL');

-- CreateEnum
CREATE TYPE "ReceiptStatus" AS ENUM ('PROCESSING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "ReceiptItemStatus" AS ENUM ('PENDING', 'PROCESSING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "ApiScope" AS ENUM ('READ_LINES', 'READ_RECEIPTS', 'CHANGE_PERMISSIONS', 'SEND_MAIL', 'READ_PASSWORDS', 'CHECK_FEATURE_ACCESS');

-- CreateEnum
CREATE TYPE "MailKind" AS ENUM ('APP_DOWNLOAD', 'PASSWORD_NOTICE');

-- CreateEnum
CREATE TYPE "MailStatus" AS ENUM ('QUEUED', 'SENT', 'FAILED');

-- CreateEnum
CREATE TYPE "SyncTrigger" AS ENUM ('MANUAL', 'DAILY');

-- CreateTable
CREATE TABLE "Account" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "carrierCustomerCode" TEXT NOT NULL,
    "portalIdIssuedAt" TIMESTAMP(3),
    "lastManualRefreshAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Administrator" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "loginId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "AdminRole" NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "failedLogins" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "disabledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Administrator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdminGroupScope" (
    "adminId" UUID NOT NULL,
    "groupId" UUID NOT NULL,

    CONSTRAINT "AdminGroupScope_pkey" PRIMARY KEY ("adminId","groupId")
);

-- CreateTable
CREATE TABLE "AdminSession" (
    "id" UUID NOT NULL,
    "adminId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "AdminSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "createdById" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "scopes" "ApiScope"[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Group" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Group_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Line" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "groupId" UUID,
    "phoneNumber" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameKana" TEXT NOT NULL,
    "affiliation" TEXT NOT NULL,
    "mailAddress" TEXT NOT NULL,
    "deviceKind" "DeviceKind" NOT NULL,
    "contractStatus" "ContractStatus" NOT NULL,
    "contractedOn" DATE NOT NULL,
    "backup" BOOLEAN NOT NULL,
    "phonebookMigration" BOOLEAN NOT NULL,
    "status" "LineStatus" NOT NULL DEFAULT 'IN_SERVICE',
    "lastAppDownloadMailAt" TIMESTAMP(3),
    "appPreinstalled" BOOLEAN NOT NULL DEFAULT false,
    "sharedPhonebook" BOOLEAN NOT NULL DEFAULT false,
    "upgradedFrom3gOn" DATE,
    "changeKind" "LineChangeKind" NOT NULL DEFAULT 'EXISTING',
    "changedAt" TIMESTAMP(3) NOT NULL,
    "listedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Line_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Receipt" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "number" CHAR(16) NOT NULL,
    "kind" "ReceiptKind" NOT NULL,
    "status" "ReceiptStatus" NOT NULL DEFAULT 'PROCESSING',
    "adminId" UUID,
    "apiTokenId" UUID,
    "adminName" TEXT NOT NULL,
    "adminLoginId" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    "parentId" UUID,
    "idempotencyKey" TEXT,
    "lastSeq" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Receipt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReceiptNumberCounter" (
    "day" CHAR(8) NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "ReceiptNumberCounter_pkey" PRIMARY KEY ("day")
);

-- CreateTable
CREATE TABLE "ReceiptItem" (
    "id" UUID NOT NULL,
    "receiptId" UUID NOT NULL,
    "lineId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "groupName" TEXT,
    "phoneNumber" TEXT NOT NULL,
    "lineName" TEXT NOT NULL,
    "backup" BOOLEAN,
    "phonebookMigration" BOOLEAN,
    "lineVersion" INTEGER NOT NULL,
    "status" "ReceiptItemStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseUntil" TIMESTAMP(3),
    "leaseOwner" TEXT,
    "completedAt" TIMESTAMP(3),
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "resendOfId" UUID,

    CONSTRAINT "ReceiptItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReceiptEvent" (
    "receiptId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "itemId" UUID,
    "itemStatus" "ReceiptItemStatus",
    "status" "ReceiptStatus" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReceiptEvent_pkey" PRIMARY KEY ("receiptId","seq")
);

-- CreateTable
CREATE TABLE "MailMessage" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "receiptItemId" UUID,
    "kind" "MailKind" NOT NULL,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" "MailStatus" NOT NULL DEFAULT 'QUEUED',
    "transport" TEXT NOT NULL,
    "messageId" TEXT,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "MailMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "adminId" UUID,
    "apiTokenId" UUID,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "receiptId" UUID,
    "lineIds" UUID[],
    "detail" JSONB,
    "ip" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LineSyncRun" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "trigger" "SyncTrigger" NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "added" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "LineSyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CarrierLine" (
    "phoneNumber" TEXT NOT NULL,
    "customerCode" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameKana" TEXT NOT NULL,
    "affiliation" TEXT NOT NULL,
    "mailAddress" TEXT NOT NULL,
    "deviceKind" "DeviceKind" NOT NULL,
    "contractStatus" "ContractStatus" NOT NULL,
    "contractedOn" DATE NOT NULL,
    "changeKind" "LineChangeKind" NOT NULL DEFAULT 'EXISTING',
    "changedAt" TIMESTAMP(3) NOT NULL,
    "appPreinstalled" BOOLEAN NOT NULL DEFAULT false,
    "sharedPhonebook" BOOLEAN NOT NULL DEFAULT false,
    "upgradedFrom3gOn" DATE,
    "backup" BOOLEAN NOT NULL,
    "phonebookMigration" BOOLEAN NOT NULL,
    "mySoftbankPassword" TEXT NOT NULL,
    "lastRequestId" TEXT,

    CONSTRAINT "CarrierLine_pkey" PRIMARY KEY ("phoneNumber")
);

-- CreateIndex
CREATE UNIQUE INDEX "Account_carrierCustomerCode_key" ON "Account"("carrierCustomerCode");

-- CreateIndex
CREATE UNIQUE INDEX "Administrator_loginId_key" ON "Administrator"("loginId");

-- CreateIndex
CREATE INDEX "Administrator_accountId_idx" ON "Administrator"("accountId");

-- CreateIndex
CREATE INDEX "AdminGroupScope_groupId_idx" ON "AdminGroupScope"("groupId");

-- CreateIndex
CREATE UNIQUE INDEX "AdminSession_tokenHash_key" ON "AdminSession"("tokenHash");

-- CreateIndex
CREATE INDEX "AdminSession_adminId_idx" ON "AdminSession"("adminId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_accountId_createdAt_idx" ON "ApiToken"("accountId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Group_accountId_name_key" ON "Group"("accountId", "name");

-- CreateIndex
CREATE INDEX "Line_accountId_groupId_phoneNumber_idx" ON "Line"("accountId", "groupId", "phoneNumber");

-- CreateIndex
CREATE INDEX "Line_accountId_status_phoneNumber_idx" ON "Line"("accountId", "status", "phoneNumber");

-- CreateIndex
CREATE INDEX "Line_accountId_deviceKind_phoneNumber_idx" ON "Line"("accountId", "deviceKind", "phoneNumber");

-- CreateIndex
CREATE INDEX "Line_accountId_contractStatus_phoneNumber_idx" ON "Line"("accountId", "contractStatus", "phoneNumber");

-- CreateIndex
CREATE INDEX "Line_accountId_lastAppDownloadMailAt_idx" ON "Line"("accountId", "lastAppDownloadMailAt");

-- CreateIndex
CREATE INDEX "Line_groupId_idx" ON "Line"("groupId");

-- CreateIndex
CREATE UNIQUE INDEX "Line_accountId_phoneNumber_key" ON "Line"("accountId", "phoneNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Receipt_number_key" ON "Receipt"("number");

-- CreateIndex
CREATE INDEX "Receipt_accountId_receivedAt_id_idx" ON "Receipt"("accountId", "receivedAt" DESC, "id");

-- CreateIndex
CREATE INDEX "Receipt_accountId_kind_receivedAt_idx" ON "Receipt"("accountId", "kind", "receivedAt" DESC);

-- CreateIndex
CREATE INDEX "Receipt_accountId_adminId_receivedAt_idx" ON "Receipt"("accountId", "adminId", "receivedAt" DESC);

-- CreateIndex
CREATE INDEX "Receipt_status_idx" ON "Receipt"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Receipt_accountId_idempotencyKey_key" ON "Receipt"("accountId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "ReceiptItem_receiptId_status_idx" ON "ReceiptItem"("receiptId", "status");

-- CreateIndex
CREATE INDEX "ReceiptItem_lineId_idx" ON "ReceiptItem"("lineId");

-- CreateIndex
CREATE INDEX "ReceiptItem_status_nextAttemptAt_idx" ON "ReceiptItem"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "ReceiptItem_receiptId_position_key" ON "ReceiptItem"("receiptId", "position");

-- CreateIndex
CREATE INDEX "MailMessage_accountId_createdAt_idx" ON "MailMessage"("accountId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "MailMessage_receiptItemId_idx" ON "MailMessage"("receiptItemId");

-- CreateIndex
CREATE INDEX "AuditEvent_accountId_createdAt_idx" ON "AuditEvent"("accountId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_accountId_action_createdAt_idx" ON "AuditEvent"("accountId", "action", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "LineSyncRun_accountId_startedAt_idx" ON "LineSyncRun"("accountId", "startedAt" DESC);

-- CreateIndex
CREATE INDEX "CarrierLine_customerCode_phoneNumber_idx" ON "CarrierLine"("customerCode", "phoneNumber");

-- AddForeignKey
ALTER TABLE "Administrator" ADD CONSTRAINT "Administrator_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdminGroupScope" ADD CONSTRAINT "AdminGroupScope_adminId_fkey" FOREIGN KEY ("adminId") REFERENCES "Administrator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdminGroupScope" ADD CONSTRAINT "AdminGroupScope_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "Group"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdminSession" ADD CONSTRAINT "AdminSession_adminId_fkey" FOREIGN KEY ("adminId") REFERENCES "Administrator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "Administrator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Group" ADD CONSTRAINT "Group_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Line" ADD CONSTRAINT "Line_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Line" ADD CONSTRAINT "Line_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "Group"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Receipt" ADD CONSTRAINT "Receipt_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Receipt" ADD CONSTRAINT "Receipt_adminId_fkey" FOREIGN KEY ("adminId") REFERENCES "Administrator"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Receipt" ADD CONSTRAINT "Receipt_apiTokenId_fkey" FOREIGN KEY ("apiTokenId") REFERENCES "ApiToken"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Receipt" ADD CONSTRAINT "Receipt_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Receipt"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReceiptItem" ADD CONSTRAINT "ReceiptItem_receiptId_fkey" FOREIGN KEY ("receiptId") REFERENCES "Receipt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReceiptItem" ADD CONSTRAINT "ReceiptItem_lineId_fkey" FOREIGN KEY ("lineId") REFERENCES "Line"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReceiptItem" ADD CONSTRAINT "ReceiptItem_resendOfId_fkey" FOREIGN KEY ("resendOfId") REFERENCES "ReceiptItem"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReceiptEvent" ADD CONSTRAINT "ReceiptEvent_receiptId_fkey" FOREIGN KEY ("receiptId") REFERENCES "Receipt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MailMessage" ADD CONSTRAINT "MailMessage_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MailMessage" ADD CONSTRAINT "MailMessage_receiptItemId_fkey" FOREIGN KEY ("receiptItemId") REFERENCES "ReceiptItem"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LineSyncRun" ADD CONSTRAINT "LineSyncRun_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
