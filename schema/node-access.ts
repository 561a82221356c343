// `node(id)` must not be a side door: each Node type declares who may look
// it up, with the same rules as the root fields that list it. The row scope
// (account, a GROUP administrator's groups or receipts) stays in each type's
// `findUnique`, which Pothos also uses to load missing selections of objects
// reached by other means; the rule here only gates `node(id)`.
import type { GraphQLResolveInfo } from "graphql";
import type { Actor } from "../domain/auth/actor.ts";

/** May this caller look up the node with this (raw) id? */
export type NodeAccessRule = (actor: Actor, id: string) => boolean;

const RULE = "nodeAccess";

/** The `extensions` of a Node type: who may look it up. */
export function nodeAccess(rule: NodeAccessRule): { [RULE]: NodeAccessRule } {
  return { [RULE]: rule };
}

/**
 * The `node(id)` resolver: a type without a rule, an unknown type and a
 * forbidden node all answer null, like an id that never existed, so ids
 * cannot be probed.
 */
export function resolveVisibleNode(
  _root: unknown,
  { id }: { id: { typename: string; id: string } },
  ctx: { actor: Actor | null },
  info: GraphQLResolveInfo,
  resolveNode: (id: { typename: string; id: string }) => unknown,
): unknown {
  const rule = info.schema.getType(id.typename)?.extensions?.[RULE] as NodeAccessRule | undefined;
  return ctx.actor && rule?.(ctx.actor, id.id) ? resolveNode(id) : null;
}
