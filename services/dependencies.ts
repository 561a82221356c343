// What the instance depends on, and how each one is doing, for readiness
// (GET /ready). Whoever knows a dependency's state registers a probe: the
// server registers the database and Redis; circuit breakers (carrier, SMTP)
// register theirs. A required dependency that is down makes the instance not
// ready; an optional one only makes it degraded (Redis: events stay on their
// instance until it is back; the carrier and SMTP: items wait).

export type DependencyState = "up" | "down" | "half-open" | "unknown";

export type DependencyProbe = () => DependencyState | Promise<DependencyState>;

export interface DependencyReport {
  state: DependencyState;
  /** Down means the instance cannot serve: readiness answers 503. */
  required: boolean;
}

export interface Dependencies {
  /** Adds (or replaces) a dependency; its probe should answer fast (it is bounded anyway). */
  register(name: string, probe: DependencyProbe, options?: { required?: boolean }): void;
  /** Every dependency's state now; a probe that throws or takes longer than `timeoutMs` reads as down. */
  check(timeoutMs: number): Promise<Record<string, DependencyReport>>;
}

/** A circuit breaker's state as a dependency's: closed → up, open → down, half-open → half-open. */
export function circuitDependencyState(state: "closed" | "open" | "halfOpen" | "half-open"): DependencyState {
  if (state === "closed") return "up";
  if (state === "open") return "down";
  return "half-open";
}

export function createDependencies(): Dependencies {
  const probes = new Map<string, { probe: DependencyProbe; required: boolean }>();
  return {
    register(name, probe, options = {}) {
      probes.set(name, { probe, required: options.required ?? false });
    },
    async check(timeoutMs) {
      const entries = await Promise.all(
        [...probes].map(async ([name, { probe, required }]) => {
          let timer: NodeJS.Timeout | undefined;
          const timedOut = new Promise<DependencyState>((resolve) => {
            timer = setTimeout(() => resolve("down"), timeoutMs);
          });
          const answered = Promise.resolve()
            .then(probe)
            .catch((): DependencyState => "down");
          const state = await Promise.race([answered, timedOut]);
          clearTimeout(timer);
          return [name, { state, required }] as const;
        }),
      );
      return Object.fromEntries(entries);
    },
  };
}
