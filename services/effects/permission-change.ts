// What a permission change's item does (R7): the carrier applies the line's
// target flags; then the line takes them, with a new version, and is free for
// the next change. A failed item leaves the flags as they were.
import type { Carrier } from "../carrier/port.ts";
import { recordLineChanges } from "../change-feed.ts";
import type { ItemHandler } from "../queue/items.ts";

export function permissionChangeHandler(carrier: Carrier): ItemHandler {
  return {
    needs: ["carrier"],
    async perform(item) {
      // The carrier is idempotent per request id, the item's.
      await carrier.applyPermissions({
        requestId: item.id,
        phoneNumber: item.phoneNumber,
        backup: item.backup ?? false,
        phonebookMigration: item.phonebookMigration ?? false,
      });
    },
    async succeeded(tx, item, at) {
      await tx.line.update({
        where: { id: item.lineId },
        data: {
          backup: item.backup ?? undefined,
          phonebookMigration: item.phonebookMigration ?? undefined,
          version: { increment: 1 },
          status: "IN_SERVICE",
        },
      });
      await recordLineChanges(tx, item.accountId, [{ lineId: item.lineId, kind: "FLAGS_CHANGED" }], at);
      return [item.lineId];
    },
    async failed(tx, item, at) {
      await tx.line.update({ where: { id: item.lineId }, data: { status: "IN_SERVICE" } });
      await recordLineChanges(tx, item.accountId, [{ lineId: item.lineId, kind: "STATUS_CHANGED" }], at);
      return [item.lineId];
    },
  };
}
