// R1 Defaults by contract date: a line that was never changed has backup off;
// migration is off for contracts up to 2017-05-09 and on from 2017-05-10.
import type { CalendarDate } from "../time.ts";

export const MIGRATION_ON_BY_DEFAULT_FROM: CalendarDate = "2017-05-10";

export interface Permissions {
  backup: boolean;
  phonebookMigration: boolean;
}

export function defaultPermissions(contractedOn: CalendarDate): Permissions {
  return {
    backup: false,
    phonebookMigration: contractedOn >= MIGRATION_ON_BY_DEFAULT_FROM,
  };
}
