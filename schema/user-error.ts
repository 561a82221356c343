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
  description:
    "An expected refusal (a rule of the product, not a fault): the mutation wrote nothing unless its payload says otherwise.",
  fields: (t) => ({
    code: t.exposeString("code", {
      description:
        "Stable, for programs: e.g. NO_LINES_SELECTED, TOO_MANY_LINES, CONFLICT (docs/integrators.md).",
    }),
    message: t.exposeString("message", { description: "The screen's exact Japanese text, for people." }),
    field: t.string({
      nullable: true,
      description: "The input field the error is about, when there is one.",
      resolve: (e) => e.field ?? null,
    }),
    lineIds: t.idList({
      description: "The lines the error is about (e.g. the cancelled lines of a selection); empty otherwise.",
      resolve: (e) => e.lineIds ?? [],
    }),
  }),
});
