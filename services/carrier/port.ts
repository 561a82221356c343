// The carrier's provisioning system, as the gateway sees it. Two adapters:
// the in-process simulator (default) and an HTTP client (CARRIER_URL).

export interface PermissionRequest {
  /** Idempotency key: the receipt item id. Applying one request twice changes nothing the second time. */
  requestId: string;
  phoneNumber: string;
  backup: boolean;
  phonebookMigration: boolean;
}

export class CarrierError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Temporary failures are retried with backoff; permanent ones fail the item. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "CarrierError";
  }
}

/** One line of the carrier's roster for a corporate customer (R8). */
export interface RosterLine {
  phoneNumber: string;
  name: string;
  nameKana: string;
  affiliation: string;
  mailAddress: string;
  deviceKind: "FEATURE_PHONE_4G" | "IPHONE" | "SMARTPHONE" | "WINDOWS10_MOBILE" | "FEATURE_PHONE_3G";
  contractStatus: "ACTIVE" | "CANCELLED";
  /** YYYY-MM-DD (JST). */
  contractedOn: string;
  changeKind: "EXISTING" | "MODEL_CHANGE" | "INFO_CHANGE" | "NEW_LINE" | "MNP_PORT_IN";
  changedAt: Date;
  appPreinstalled: boolean;
  sharedPhonebook: boolean;
  upgradedFrom3gOn: string | null;
  backup: boolean;
  phonebookMigration: boolean;
}

export interface Carrier {
  /** The customer's whole roster, including lines the portal has not listed yet. */
  roster(customerCode: string): Promise<RosterLine[]>;
  applyPermissions(request: PermissionRequest): Promise<void>;
  /** My SoftBank passwords by phone number (R10); the gateway never stores them. */
  passwords(phoneNumbers: string[]): Promise<Map<string, string>>;
}
