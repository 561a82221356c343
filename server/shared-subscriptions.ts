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

/**
 * A subscription's stream of results: each event executed, or taken from the
 * results already shared by key. A plain iterator rather than an async
 * generator, so `return()` reaches the source at once; a class rather than
 * closures, since one lives per open subscription (bench/README.md, "Memory
 * per idle subscription").
 */
class SharedResultStream implements AsyncGenerator<ExecutionResult, void, unknown> {
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly operation: OperationDefinitionNode,
    /** This subscriber's view (viewOf): results are shared under it. */
    private readonly scope: number,
    private readonly results: LRUCache<string, Promise<ExecutionResult>>,
    private readonly forkContext: (context: Record<string, unknown>) => unknown,
  ) {}

  async next(): Promise<IteratorResult<ExecutionResult, void>> {
    let step: IteratorResult<unknown>;
    try {
      step = await this.source.next();
    } catch (error) {
      throw this.located(error);
    }
    if (step.done) return { done: true, value: undefined };
    return { done: false, value: await this.resultOf(step.value) };
  }

  private resultOf(payload: unknown): Promise<ExecutionResult> {
    const event = sharedEventKey(payload);
    if (event === undefined) return this.run(payload);
    const key = `${this.scope}:${event}`;
    const { results } = this;
    let result = results.get(key);
    if (!result) {
      result = this.run(payload);
      results.set(key, result);
      // A failed execution is not kept: the next subscriber tries again.
      result.catch(() => results.delete(key));
    }
    return result;
  }

  private run(payload: unknown): Promise<ExecutionResult> {
    const contextValue = this.forkContext(this.args.contextValue as Record<string, unknown>);
    return Promise.resolve(execute({ ...this.args, contextValue, rootValue: payload }) as ExecutionResult);
  }

  private located(error: unknown) {
    return error instanceof GraphQLError
      ? error
      : new GraphQLError(error instanceof Error ? error.message : String(error), {
          nodes: this.operation,
          originalError: error instanceof Error ? error : undefined,
        });
  }

  async return(): Promise<IteratorReturnResult<void>> {
    await this.source.return?.();
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult, void>> {
    await this.source.return?.();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

export function useSharedSubscriptionResults(
  options: {
    max?: number;
    /**
     * The context an event is executed with (and the subscription's source
     * stream is made with), from the operation's. The operation's context
     * lives as long as the subscription; what resolvers cache per context
     * (loaders, scope-auth's caches) then lives only as long as one execution.
     * The same object by default.
     */
    forkContext?: (context: Record<string, unknown>) => unknown;
  } = {},
): Plugin {
  const forkContext = options.forkContext ?? ((context) => context);
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
        const source = await createSourceEventStream({
          ...subscribeArgs,
          contextValue: forkContext(subscribeArgs.contextValue as Record<string, unknown>),
        });
        if (!(Symbol.asyncIterator in source)) return source;
        return new SharedResultStream(
          source[Symbol.asyncIterator](),
          subscribeArgs,
          operation,
          scope,
          results,
          forkContext,
        );
      });
    },
  };
}
