// One execution per event for all the watchers who would get the same result.
//
// GraphQL runs a subscription's selection set once per event per subscriber.
// With 1,000 watchers of one 200-line batch that is 401,000 executions, the
// fan-out's main cost once the shared reads had taken the database out
// (bench/README.md). An event whose payload is marked with `sharedEvent()`
// (lib/shared-event.ts) is executed once per distinct (visibility of
// the actor, operation, variables the selection uses, event); every other
// subscriber of that kind gets the same ExecutionResult. Events without the
// mark are executed per subscriber, as GraphQL does.
//
// Written here rather than taken from a library: envelop offers the hook
// (onSubscribe/setSubscribeFn) but no shared execution, and graphql-yoga's
// response cache plugin does not cover subscriptions.
import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  print,
  visit,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { LRUCache } from "lru-cache";
import { type Actor, visibilityKey } from "../domain/auth/actor.ts";
import { sharedEventKey } from "../lib/shared-event.ts";

const printed = new WeakMap<DocumentNode, string>();

/**
 * The part of an operation that decides an event's result: its text and the
 * values of the variables used below the subscription field. The field's own
 * arguments (receiptId, afterSeq) choose the stream, not how an event looks,
 * so watchers resuming from different seqs still share.
 */
function operationKey(args: ExecutionArgs, operation: OperationDefinitionNode): string | null {
  const used = new Set<string>();
  const collect = (node: Parameters<typeof visit>[0]) =>
    visit(node, {
      enter(visited) {
        if (visited.kind === Kind.VARIABLE) used.add(visited.name.value);
      },
    });
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return null; // fragments on the root: not worth the care
    if (selection.selectionSet) collect(selection.selectionSet);
    for (const directive of selection.directives ?? []) collect(directive);
  }
  for (const definition of args.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) collect(definition);
  }
  let text = printed.get(args.document);
  if (text === undefined) {
    text = print(args.document);
    printed.set(args.document, text);
  }
  const variables = [...used].sort().map((name) => [name, args.variableValues?.[name] ?? null]);
  return `${args.operationName ?? ""}\n${text}\n${JSON.stringify(variables)}`;
}

/** Maps a stream without wrapping it in an async generator, so `return()` reaches the source at once. */
function mapStream<T, R>(
  source: AsyncIterator<T>,
  map: (value: T) => R | Promise<R>,
  operation: OperationDefinitionNode,
): AsyncGenerator<R, void, unknown> {
  const located = (error: unknown) =>
    error instanceof GraphQLError
      ? error
      : new GraphQLError(error instanceof Error ? error.message : String(error), {
          nodes: operation,
          originalError: error instanceof Error ? error : undefined,
        });
  const stream: AsyncGenerator<R, void, unknown> = {
    async next() {
      let step: IteratorResult<T>;
      try {
        step = await source.next();
      } catch (error) {
        throw located(error);
      }
      if (step.done) return { done: true, value: undefined };
      return { done: false, value: await map(step.value) };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    async throw(error) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}

export function useSharedSubscriptionResults(options: { max?: number } = {}): Plugin {
  // Keys are looked up once per delivery (401,000 times in the bench's
  // fan-out), so they are short: each distinct view gets a number once, at
  // subscribe time, and no TTL check runs per lookup (the LRU bounds memory).
  const results = new LRUCache<string, Promise<ExecutionResult>>({ max: options.max ?? 10_000 });
  const views = new LRUCache<string, number>({ max: 10_000 });
  let nextView = 0;
  const viewOf = (key: string) => {
    let view = views.get(key);
    if (view === undefined) {
      view = nextView++;
      views.set(key, view);
    }
    return view;
  };
  return {
    onSubscribe({ args, setSubscribeFn }) {
      const actor = (args.contextValue as { actor?: Actor | null }).actor;
      if (!actor) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== "subscription") return;
      const key = operationKey(args, operation);
      if (key === null) return;
      const scope = viewOf(`${visibilityKey(actor)}\n${key}`);
      setSubscribeFn(async (given) => {
        const subscribeArgs = given as ExecutionArgs;
        const source = await createSourceEventStream(subscribeArgs);
        if (!(Symbol.asyncIterator in source)) return source;
        const run = (payload: unknown) =>
          Promise.resolve(execute({ ...subscribeArgs, rootValue: payload }) as ExecutionResult);
        return mapStream(
          source[Symbol.asyncIterator](),
          (payload) => {
            const event = sharedEventKey(payload);
            if (event === undefined) return run(payload);
            const key = `${scope}:${event}`;
            let result = results.get(key);
            if (!result) {
              result = run(payload);
              results.set(key, result);
              // A failed execution is not kept: the next subscriber tries again.
              result.catch(() => results.delete(key));
            }
            return result;
          },
          operation,
        );
      });
    },
  };
}
