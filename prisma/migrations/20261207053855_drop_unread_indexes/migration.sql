-- DropIndex
DROP INDEX "Line_groupId_idx";

-- DropIndex
DROP INDEX "ReceiptItem_lineId_idx";
