// Query-cost budgets on the GraphQL transports (issue 14 point 4). Each
// operation costs what graphql-armor's cost limit computes for it; once per
// operation, when it is about to run, the cost is charged to its caller's
// budget (services/rate-limits.ts). The state of the budget goes back with
// every answer, in `extensions.rateLimit` (GitHub's `rateLimit`, Shopify's
// `throttleStatus`) and over HTTP in the IETF draft's RateLimit-* headers. An
// operation that does not fit is not run: RATE_LIMITED, `retryAfter`, HTTP
// 429 with Retry-After, or an `error` message over WebSocket.
import { type CostLimitOptions, costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  TypeInfo,
  ValidationContext,
} from "graphql";
import { mapAsyncIterator, type Plugin } from "graphql-yoga";
import type { Actor } from "../domain/auth/actor.ts";
import { type BudgetState, budgetKey, type RateLimits } from "../services/rate-limits.ts";

/** `extensions.rateLimit` of every answer. */
export interface RateLimitStatus {
  /** What this operation cost (0: not metered, e.g. introspection). */
  cost: number;
  /** Points per window. */
  limit: number;
  /** Points left in this window, after this operation. */
  remaining: number;
  /** When the window ends and the whole budget is back (ISO 8601). */
  resetAt: string;
}

export const RATE_LIMITED = "RATE_LIMITED";

/**
 * The cost graphql-armor's cost limit computes for the operation that runs,
 * by armor's own visitor with the options armor is given, rounded up to whole
 * points (armor's depth factor makes fractions; budgets count integers).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  options: CostLimitOptions,
): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 0;
  let found = 0;
  const context = new ValidationContext(schema, document, new TypeInfo(schema), () => {});
  costLimitRule({
    ...options,
    maxCost: Number.POSITIVE_INFINITY,
    propagateOnRejection: false,
    onReject: [],
    onAccept: [(_context, details: { n: number }) => (found = details.n)],
  })(context).onOperationDefinitionEnter(operation);
  return Math.ceil(found);
}

/** A budget as an operation found it, and when (on the server clock) its window ends. */
interface Charge extends BudgetState {
  resetAt: Date;
}

interface MeteredContext {
  actor?: Actor | null;
  ip?: string | null;
  request?: Request;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === "object" && value !== null && Symbol.asyncIterator in value;

export interface RateLimitOptions {
  limits: RateLimits;
  /** graphql-armor's costLimit options (server/app.ts armorLimits.costLimit). */
  cost: CostLimitOptions;
  /** The server clock, for `resetAt`. */
  now: () => Date;
}

/**
 * The yoga plugin, and `admit` for graphql-ws, which must refuse an
 * operation in its onSubscribe (an `error` message; anything thrown later
 * would close the socket). An operation admitted there is not charged again.
 */
export function createRateLimit({ limits, cost: costOptions, now }: RateLimitOptions) {
  const charged = new WeakMap<object, Promise<Charge>>();
  const byRequest = new WeakMap<Request, Charge>();
  // Documents come from yoga's parse cache: a repeated query is costed once.
  const costs = new WeakMap<DocumentNode, Map<string, number>>();

  function costOf(args: ExecutionArgs): number {
    let byOperation = costs.get(args.document);
    if (!byOperation) {
      byOperation = new Map();
      costs.set(args.document, byOperation);
    }
    const name = args.operationName ?? "";
    let cost = byOperation.get(name);
    if (cost === undefined) {
      cost = operationCost(args.schema, args.document, args.operationName, costOptions);
      byOperation.set(name, cost);
    }
    return cost;
  }

  function charge(args: ExecutionArgs): Promise<Charge> {
    const context = args.contextValue as MeteredContext;
    let state = charged.get(context);
    if (!state) {
      const cost = costOf(args);
      state = limits
        .spend(budgetKey(context.actor, context.ip), cost)
        .then((budget) => ({ ...budget, resetAt: new Date(now().getTime() + budget.msBeforeReset) }));
      charged.set(context, state);
    }
    return state;
  }

  const status = (state: Charge): RateLimitStatus => ({
    cost: state.cost,
    limit: state.limit,
    remaining: state.remaining,
    resetAt: state.resetAt.toISOString(),
  });

  const retryAfter = (state: Charge) => Math.max(1, Math.ceil(state.msBeforeReset / 1000));

  function rateLimited(state: Charge, http: boolean): GraphQLError {
    const seconds = retryAfter(state);
    return new GraphQLError(`Rate limit exceeded: retry in ${seconds} s.`, {
      extensions: {
        code: RATE_LIMITED,
        retryAfter: seconds,
        ...(http ? { http: { status: 429, headers: { "retry-after": String(seconds) } } } : {}),
      },
    });
  }

  function withStatus(result: ExecutionResult, state: Charge): ExecutionResult {
    // Results may be shared between subscribers (shared-subscriptions.ts): copied, never changed.
    return { ...result, extensions: { ...result.extensions, rateLimit: status(state) } };
  }

  /** The stream with the budget on its first event (charged once, at subscribe time). */
  function firstEventWithStatus(
    stream: AsyncIterable<ExecutionResult>,
    state: Charge,
  ): AsyncGenerator<ExecutionResult, void, unknown> {
    let first = true;
    return mapAsyncIterator(stream[Symbol.asyncIterator](), (result: ExecutionResult) => {
      if (!first) return result;
      first = false;
      return withStatus(result, state);
    }) as AsyncGenerator<ExecutionResult, void, unknown>;
  }

  /** Runs in onExecute / onSubscribe: charges, or stops the operation. */
  async function meter(
    args: ExecutionArgs,
    stop: (result: ExecutionResult) => void,
  ): Promise<Charge | undefined> {
    const state = await charge(args);
    const request = (args.contextValue as MeteredContext).request;
    if (request) byRequest.set(request, state);
    if (state.allowed) return state;
    stop({ errors: [rateLimited(state, true)], extensions: { rateLimit: status(state) } });
    return undefined;
  }

  const plugin: Plugin = {
    async onExecute({ args, setResultAndStopExecution }) {
      const state = await meter(args, setResultAndStopExecution);
      if (!state) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (!isAsyncIterable(result)) setResult(withStatus(result, state));
        },
      };
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const state = await meter(args, setResultAndStopExecution);
      if (!state) return;
      return {
        onSubscribeResult({ result, setResult }) {
          setResult(
            isAsyncIterable(result)
              ? firstEventWithStatus(result as AsyncIterable<ExecutionResult>, state)
              : withStatus(result, state),
          );
        },
      };
    },
    onResponse({ request, response }) {
      const state = byRequest.get(request);
      if (!state) return;
      response.headers.set("ratelimit-limit", String(state.limit));
      response.headers.set("ratelimit-remaining", String(state.remaining));
      response.headers.set("ratelimit-reset", String(Math.ceil(state.msBeforeReset / 1000)));
      response.headers.set("ratelimit-policy", `${limits.points};w=${limits.windowSeconds}`);
      if (!state.allowed) response.headers.set("retry-after", String(retryAfter(state)));
    },
  };

  return {
    plugin,
    /** For graphql-ws' onSubscribe: the RATE_LIMITED error of an operation that does not fit, or null. */
    async admit(args: ExecutionArgs): Promise<GraphQLError[] | null> {
      const state = await charge(args);
      return state.allowed ? null : [rateLimited(state, false)];
    },
  };
}
