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

export interface Carrier {
  applyPermissions(request: PermissionRequest): Promise<void>;
  /** My SoftBank passwords by phone number (R10); the gateway never stores them. */
  passwords(phoneNumbers: string[]): Promise<Map<string, string>>;
}
