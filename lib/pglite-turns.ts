// PGlite is one connection, run synchronously in this thread (WASM): each
// statement resolves without an I/O turn, and statements and transactions
// take turns on one FIFO lock. Two things follow, both seen in the bench's
// fan-out (bench/README.md) with the worker applying eight items at once:
// - A transaction's statements, and the transactions queued behind it, ran as
//   one chain of microtasks: timers, sockets and /health waited for all of it
//   (the loop stalled for up to ~300 ms at a time).
// - A read (a progress batch's receipt, a page) queued behind every
//   transaction already waiting for the lock: up to eight of them.
// So every statement here first waits for the loop's next turn (on an idle
// loop that costs microseconds), and transactions wait for one another here,
// before the lock: at most one is ever waiting for it, and a read waits for
// one transaction at most.
import type { PGlite, Transaction } from "@electric-sql/pglite";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `target`, whose statements each wait for the loop's next turn. */
function withTurns<T extends PGlite | Transaction>(target: T): T {
  let previous: Promise<unknown> = Promise.resolve();
  return new Proxy(target, {
    get(object, property) {
      if (property === "query") {
        return async (...args: Parameters<T["query"]>) => {
          await nextTurn();
          return (object.query as (...a: typeof args) => unknown)(...args);
        };
      }
      if (property === "transaction" && "transaction" in object) {
        return <R>(callback: (tx: Transaction) => Promise<R>): Promise<R> => {
          const run = previous.then(() => object.transaction((tx) => callback(withTurns(tx))));
          previous = run.catch(() => undefined);
          return run;
        };
      }
      // PGlite keeps its state in private fields: its methods must see the instance itself.
      const value = Reflect.get(object, property, object);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}

export const yieldingPGlite = (pg: PGlite): PGlite => withTurns(pg);
