import { builder } from "./builder.ts";
import "./scalars.ts";
import "./user-error.ts";
import "./system.ts";
import "./viewer.ts";
import "./api-token.ts";
import "./group.ts";
import "./line.ts";
import "./line-selection.ts";
import "./receipt.ts";
import "./feature-access.ts";
import "./acceptance-window.ts";
import "./permission-change.ts";
import "./mail.ts";
import "./receipt-progress.ts";

export const schema = builder.toSchema({ sortSchema: true });
