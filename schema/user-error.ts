// UserError: the contract's shape for expected failures (SPEC §5). `message` is
// the exact Japanese text; `code` is stable for programs.
import { builder } from "./builder.ts";

export interface UserError {
  code: string;
  message: string;
  field?: string | null;
  lineIds?: string[];
}

export const UserErrorRef = builder.objectRef<UserError>("UserError").implement({
  fields: (t) => ({
    code: t.exposeString("code"),
    message: t.exposeString("message"),
    field: t.string({ nullable: true, resolve: (e) => e.field ?? null }),
    lineIds: t.idList({ resolve: (e) => e.lineIds ?? [] }),
  }),
});
