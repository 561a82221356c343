// Circuit breakers for the worker's dependencies, the carrier and the mail
// server (cockatiel). Without them a carrier that is down gets every item's
// attempts, 8 at a time, however long it stays down; with them, a few
// temporary errors in a row open the circuit, items that need that dependency
// are put back until it half-opens, one probe call decides whether it is up
// again, and the items go on when it answers.
//
// Only a temporary error of the dependency itself counts against it (a
// CarrierError or MailError marked retryable: 5xx, 429, 421, refused or timed
// out connections). A permanent answer (the carrier rejects a line, SMTP 5xx)
// shows the dependency is up and counts as a success. Anything else (another
// dependency's error, a database error) passes through uncounted.
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  IsolatedCircuitError,
} from "cockatiel";
import { CarrierError } from "./carrier/port.ts";
import { MailError } from "./mail/mailer.ts";
import { type DependencyCallOutcome, type MetricsPort, noMetrics } from "./metrics.ts";

export type Dependency = "carrier" | "smtp";
export type CircuitStateName = "closed" | "open" | "halfOpen";

export interface CircuitOptions {
  /** Temporary errors in a row that open a circuit (default 5). */
  failureThreshold?: number;
  /** How long an open circuit refuses calls before it lets one probe through (default 10 s). */
  halfOpenAfterMs?: number;
  /** Told how each call ended (carrier_calls_total, smtp calls: server/metrics.ts). */
  metrics?: MetricsPort;
}

/** Thrown instead of calling a dependency whose circuit is open. */
export class CircuitOpenError extends Error {
  constructor(
    readonly dependency: Dependency,
    /** When the circuit lets its next probe through. */
    readonly until: Date,
  ) {
    super(`${dependency} circuit is open until ${until.toISOString()}`);
    this.name = "CircuitOpenError";
  }
}

export interface DependencyCircuit {
  readonly dependency: Dependency;
  state(): CircuitStateName;
  /** While open: when the next probe may go. Null when calls may go now (closed, half-open, or due for a probe). */
  blockedUntil(now?: number): Date | null;
  /**
   * Runs `call` through the breaker. Throws CircuitOpenError without calling
   * while the circuit is open; while a probe is in flight, waits for its outcome.
   */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** Told of every state change (for logs and for resuming waiting items on recovery). */
  onChange(listener: (state: CircuitStateName) => void): { dispose(): void };
}

export interface Circuits {
  carrier: DependencyCircuit;
  smtp: DependencyCircuit;
  states(): Record<Dependency, CircuitStateName>;
  /** Leaves circuitStates() (the worker that made them has stopped). */
  dispose(): void;
}

const isTemporary: Record<Dependency, (error: unknown) => boolean> = {
  carrier: (error) => error instanceof CarrierError && error.retryable,
  smtp: (error) => error instanceof MailError && error.retryable,
};

const isPermanentAnswer: Record<Dependency, (error: unknown) => boolean> = {
  carrier: (error) => error instanceof CarrierError && !error.retryable,
  smtp: (error) => error instanceof MailError && !error.retryable,
};

const stateNames: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "halfOpen",
  [CircuitState.Isolated]: "open",
};

function createCircuit(
  dependency: Dependency,
  options: Required<Omit<CircuitOptions, "metrics">>,
  metrics: MetricsPort,
): DependencyCircuit {
  const policy = circuitBreaker(handleWhen(isTemporary[dependency]), {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.failureThreshold),
  });
  // cockatiel keeps when it opened to itself; the worker needs it to say when items are due.
  let openedAt = 0;
  policy.onBreak(() => {
    openedAt = Date.now();
  });
  const blockedUntil = (now = Date.now()) => {
    if (policy.state !== CircuitState.Open && policy.state !== CircuitState.Isolated) return null;
    const until = openedAt + options.halfOpenAfterMs;
    return now < until ? new Date(until) : null;
  };

  return {
    dependency,
    state: () => stateNames[policy.state],
    blockedUntil,
    async run<T>(call: () => Promise<T>): Promise<T> {
      let outcome: { value: T } | { answer: unknown };
      let started = 0;
      const count = (result: DependencyCallOutcome) =>
        metrics.dependencyCall(dependency, result, started ? (performance.now() - started) / 1000 : 0);
      try {
        outcome = await policy.execute(async () => {
          started = performance.now();
          try {
            return { value: await call() };
          } catch (error) {
            // An answer, even "no", means the dependency is up.
            if (isPermanentAnswer[dependency](error)) return { answer: error };
            throw error;
          }
        });
      } catch (error) {
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
          count("circuit_open");
          throw new CircuitOpenError(
            dependency,
            blockedUntil() ?? new Date(Date.now() + options.halfOpenAfterMs),
          );
        }
        count(isTemporary[dependency](error) ? "temporary_error" : "error");
        throw error;
      }
      count("answer" in outcome ? "rejected" : "success");
      if ("answer" in outcome) throw outcome.answer;
      return outcome.value;
    },
    onChange(listener) {
      return policy.onStateChange((state) => listener(stateNames[state]));
    },
  };
}

// The circuits of the running workers: an instance runs one, so this is what
// its readiness reports. (Several apps in one test process: the worst state.)
const live = new Set<Circuits>();

export function createCircuits(options: CircuitOptions = {}): Circuits {
  const settings = {
    failureThreshold: options.failureThreshold ?? 5,
    halfOpenAfterMs: options.halfOpenAfterMs ?? 10_000,
  };
  const metrics = options.metrics ?? noMetrics;
  const circuits: Circuits = {
    carrier: createCircuit("carrier", settings, metrics),
    smtp: createCircuit("smtp", settings, metrics),
    states: () => ({ carrier: circuits.carrier.state(), smtp: circuits.smtp.state() }),
    dispose: () => {
      live.delete(circuits);
    },
  };
  live.add(circuits);
  return circuits;
}

const severity: Record<CircuitStateName, number> = { closed: 0, halfOpen: 1, open: 2 };

/** This instance's circuit states, for readiness: closed when no worker runs here. */
export function circuitStates(): Record<Dependency, CircuitStateName> {
  const result: Record<Dependency, CircuitStateName> = { carrier: "closed", smtp: "closed" };
  for (const circuits of live) {
    for (const [dependency, state] of Object.entries(circuits.states()) as [Dependency, CircuitStateName][]) {
      if (severity[state] > severity[result[dependency]]) result[dependency] = state;
    }
  }
  return result;
}
