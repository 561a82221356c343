// The server clock. FAKE_NOW sets where it starts; it then runs on in real time,
// so demos and tests can stand "inside" or "outside" acceptance hours (R4).
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function createClock(fakeNow?: string): Clock {
  if (!fakeNow) return systemClock;
  const offset = Date.parse(fakeNow) - Date.now();
  return { now: () => new Date(Date.now() + offset) };
}

/** A clock that stands still unless moved; for tests. */
export function manualClock(start: Date | string): Clock & { set(at: Date | string): void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set(at) {
      current = new Date(at);
    },
  };
}
