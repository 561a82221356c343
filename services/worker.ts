// The worker applies receipt items (R7): the leased queue (queue/leased-queue.ts)
// with one handler per receipt kind registered with it (effects/): a
// permission change goes to the carrier, the mails to the mail server (a
// password notice asks the carrier for the password first). Each worker has
// its own circuit breakers for those two dependencies.
import type { Db } from "../lib/db.ts";
import type { Logger } from "../lib/logger.ts";
import type { Carrier } from "./carrier/port.ts";
import { type CircuitOptions, createCircuits, type Dependency, type DependencyCircuit } from "./circuits.ts";
import { dependencyFailures } from "./effects/failures.ts";
import { appDownloadMailHandler, passwordNoticeHandler } from "./effects/mail.ts";
import { permissionChangeHandler } from "./effects/permission-change.ts";
import type { DatabaseOutage } from "./errors.ts";
import type { EventsPort } from "./events.ts";
import type { MailDelivery } from "./mail/delivery.ts";
import { startLeasedQueue } from "./queue/leased-queue.ts";
import type { RetryPolicy } from "./queue/retry.ts";

export interface WorkerOptions {
  db: Db;
  carrier: Carrier;
  /** Delivers APP_DOWNLOAD_MAIL and PASSWORD_NOTICE_MAIL items. */
  mail?: MailDelivery;
  logger: Logger;
  /** Items applied at once by this process. */
  concurrency?: number;
  /** How long a claim lasts before another worker may take the item over. */
  leaseMs?: number;
  pollMs?: number;
  /** Backoff and horizon of temporary errors (defaults: defaultRetryPolicy). */
  retry?: Partial<RetryPolicy>;
  /** This worker's circuit breakers, shared by its concurrent items. */
  circuits?: CircuitOptions;
  /** Injected for deterministic tests (the backoff's jitter). */
  random?: () => number;
  /** Told of each committed receipt event and line change (realtime fan-out hooks in here). */
  events?: EventsPort;
  /** Business time for completedAt (FAKE_NOW); queue timing always uses real time. */
  now?: () => Date;
  /** Where the process reports a database outage (logged once per outage); the worker's own by default. */
  databaseOutage?: DatabaseOutage;
}

export function startWorker(options: WorkerOptions) {
  const { carrier, mail, circuits: circuitOptions, ...queueOptions } = options;
  const circuits = createCircuits(circuitOptions);
  const queue = startLeasedQueue({
    ...queueOptions,
    handlers: {
      PERMISSION_CHANGE: permissionChangeHandler(carrier),
      APP_DOWNLOAD_MAIL: appDownloadMailHandler(mail),
      PASSWORD_NOTICE_MAIL: passwordNoticeHandler(mail),
    },
    circuits,
    failures: dependencyFailures,
  });
  return {
    ...queue,
    /** The carrier's and the mail server's circuit breakers of this worker. */
    circuits: circuits as Readonly<Record<Dependency, DependencyCircuit>>,
  };
}

export type Worker = ReturnType<typeof startWorker>;
