// How the carrier's and the mail server's errors read on receipt items: the
// code and message an item fails with, which dependency a temporary error
// came from, and what an item shows while it waits for one.
import { carrierMessages, mailErrorMessages } from "../../domain/messages.ts";
import { CarrierError } from "../carrier/port.ts";
import { MailError } from "../mail/mailer.ts";
import { type FailureModel, ItemFailure } from "../queue/items.ts";

export const dependencyFailures: FailureModel = {
  explain(error) {
    if (error instanceof CarrierError) {
      return { failure: new ItemFailure(error.code, error.message, error.retryable), dependency: "carrier" };
    }
    if (error instanceof MailError) {
      return {
        failure: new ItemFailure("MAIL_FAILED", mailErrorMessages.MAIL_FAILED, error.retryable),
        dependency: "smtp",
      };
    }
    // Anything else (a bug, a database error that is no outage) is tried again until the horizon.
    return {
      failure: new ItemFailure("CARRIER_UNAVAILABLE", carrierMessages.CARRIER_UNAVAILABLE, true),
      dependency: null,
    };
  },
  waitingFor: { carrier: "CARRIER", smtp: "MAIL_SERVER" },
  unavailable: (dependency) =>
    dependency === "carrier"
      ? new ItemFailure("CARRIER_UNAVAILABLE", carrierMessages.CARRIER_UNAVAILABLE, true)
      : new ItemFailure("MAIL_FAILED", mailErrorMessages.MAIL_FAILED, true),
};
