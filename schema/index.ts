import { builder } from "./builder.ts";
import "./scalars.ts";
import "./system.ts";
import "./group.ts";
import "./line.ts";

export const schema = builder.toSchema({ sortSchema: true });
