// Tells the administrator when a batch they started finishes, wherever in the
// app they are: a notice at the top of every screen (announced), the tab's
// title (so a background tab shows it), and a desktop notification when they
// allowed it (asked only when they press NotifyButton, never by itself).
//
// The receipts to watch are those this browser accepted (the 完了 screens
// call useWatchReceipt), kept per administrator in localStorage: a reload, a
// new tab or another screen keeps watching them, and a finished one stays
// told (in every tab) until the administrator closes its notice. Each is
// followed with receiptProgressBatch, the subscription LiveProgress uses (urql
// shares one stream when both show the same receipt).
import { useCallback, useEffect, useState } from "react";
import { useSubscription } from "urql";
import { Link, useLocation } from "wouter";
import { useSession } from "../session.tsx";
import { noticeTexts, statusTexts } from "../texts.ts";
import { setTitlePrefix } from "../title.ts";
import { ReceiptProgressSubscription } from "./LiveProgress.tsx";
import { resumableProgress } from "./resumableProgress.ts";

type Kind = keyof typeof statusTexts.kind;

export interface WatchedReceipt {
  id: string;
  number: string;
  kind: Kind;
  /** Set once it finished: its notice shows until closed. */
  status?: "SUCCEEDED" | "FAILED";
}

type Finished = WatchedReceipt & { status: "SUCCEEDED" | "FAILED" };

/** Same-tab news that the watch list changed (other tabs get a storage event). */
const CHANGED = "anshin:watched";
const storageKey = (adminId: string) => `anshin.watched.${adminId}`;
/** A batch takes minutes at most; older entries are someone's abandoned tab. */
const MAX_WATCHED = 20;

function readWatched(adminId: string): WatchedReceipt[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(storageKey(adminId)) ?? "[]") as unknown;
    return Array.isArray(parsed) ? (parsed as WatchedReceipt[]) : [];
  } catch {
    return [];
  }
}

function writeWatched(adminId: string, receipts: WatchedReceipt[]) {
  try {
    localStorage.setItem(storageKey(adminId), JSON.stringify(receipts.slice(-MAX_WATCHED)));
  } catch {
    // Storage disabled: this tab still shows what it watches now.
  }
  window.dispatchEvent(new Event(CHANGED));
}

/** Watches a receipt this browser just accepted, while it is processing. */
export function useWatchReceipt(
  receipt:
    | { id: string; number: string; kind: Kind; status: "PROCESSING" | "SUCCEEDED" | "FAILED" }
    | null
    | undefined,
) {
  const adminId = useSession().viewer?.administrator?.id;
  const id = receipt?.id;
  const watch = receipt?.status === "PROCESSING" ? receipt : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per receipt, not per progress event
  useEffect(() => {
    if (!adminId || !watch) return;
    const current = readWatched(adminId);
    if (current.some((r) => r.id === watch.id)) return;
    writeWatched(adminId, [...current, { id: watch.id, number: watch.number, kind: watch.kind }]);
  }, [adminId, id, Boolean(watch)]);
}

export function BatchNotices() {
  const adminId = useSession().viewer?.administrator?.id ?? null;
  const [watched, setWatched] = useState<WatchedReceipt[]>(() => (adminId ? readWatched(adminId) : []));
  const finished = watched.filter((r): r is Finished => r.status !== undefined);
  const [, navigate] = useLocation();

  useEffect(() => {
    if (!adminId) return;
    const reread = () => setWatched(readWatched(adminId));
    reread();
    const onStorage = (event: StorageEvent) => {
      if (event.key === storageKey(adminId)) reread();
    };
    window.addEventListener(CHANGED, reread);
    window.addEventListener("storage", onStorage);
    return () => {
      window.removeEventListener(CHANGED, reread);
      window.removeEventListener("storage", onStorage);
    };
  }, [adminId]);

  const onFinished = useCallback(
    (receipt: Finished) => {
      if (!adminId) return;
      const current = readWatched(adminId);
      // Another tab told it first: the notice is there already (storage event).
      if (!current.some((r) => r.id === receipt.id && r.status === undefined)) return;
      writeWatched(
        adminId,
        current.map((r) => (r.id === receipt.id ? { ...r, status: receipt.status } : r)),
      );
      if (typeof Notification !== "undefined" && Notification.permission === "granted") {
        // One notification per receipt, however many tabs watched it (same tag).
        const notification = new Notification(noticeText(receipt), { tag: `receipt-${receipt.number}` });
        notification.onclick = () => {
          window.focus();
          navigate(`/history/${receipt.number}`);
        };
      }
    },
    [adminId, navigate],
  );

  useEffect(() => {
    setTitlePrefix(finished.length > 0 ? noticeTexts.titlePrefix(finished.length) : "");
  }, [finished.length]);
  // Leaving the app (logout) takes the prefix with it.
  useEffect(() => () => setTitlePrefix(""), []);

  /** Closed here, closed in every tab. */
  const close = (id: string) => {
    if (adminId)
      writeWatched(
        adminId,
        readWatched(adminId).filter((r) => r.id !== id),
      );
  };

  return (
    <div className="notices">
      {watched
        .filter((receipt) => receipt.status === undefined)
        .map((receipt) => (
          <ReceiptWatcher key={receipt.id} receipt={receipt} onFinished={onFinished} />
        ))}
      <div role="status" aria-label={noticeTexts.region}>
        {finished.map((receipt) => (
          <div key={receipt.id} className="notice" data-status={receipt.status}>
            <p>{noticeText(receipt)}</p>
            <Link href={`/history/${receipt.number}`} onClick={() => close(receipt.id)}>
              {noticeTexts.detail}
            </Link>
            <button type="button" className="link-button" onClick={() => close(receipt.id)}>
              {noticeTexts.close}
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}

function noticeText(receipt: Finished) {
  return noticeTexts.finished(
    statusTexts.kind[receipt.kind],
    receipt.number,
    statusTexts.receipt[receipt.status],
  );
}

function ReceiptWatcher({
  receipt,
  onFinished,
}: {
  receipt: WatchedReceipt;
  onFinished: (receipt: Finished) => void;
}) {
  const [{ data, error }] = useSubscription({
    query: ReceiptProgressSubscription,
    variables: { receiptId: receipt.id, afterSeq: null },
    context: resumableProgress,
  });
  const status = data?.receiptProgressBatch.receipt.status;
  useEffect(() => {
    if (status === "SUCCEEDED" || status === "FAILED") onFinished({ ...receipt, status });
  }, [status, receipt, onFinished]);
  // A receipt this administrator cannot watch (gone, another account's) is dropped quietly.
  const notFound = error?.graphQLErrors.some((e) => e.extensions?.code !== "UNAUTHENTICATED") ?? false;
  const adminId = useSession().viewer?.administrator?.id;
  useEffect(() => {
    if (notFound && adminId)
      writeWatched(
        adminId,
        readWatched(adminId).filter((r) => r.id !== receipt.id),
      );
  }, [notFound, adminId, receipt.id]);
  return null;
}

/** Offers desktop notifications, asking the browser only when pressed (a user gesture). */
export function NotifyButton() {
  const [permission, setPermission] = useState(() =>
    typeof Notification === "undefined" ? "unsupported" : Notification.permission,
  );
  if (permission === "unsupported") return null;
  if (permission === "granted") return <p className="note">{noticeTexts.notificationsOn}</p>;
  if (permission === "denied") return <p className="note">{noticeTexts.notificationsDenied}</p>;
  return (
    <button
      type="button"
      onClick={async () => setPermission(await Notification.requestPermission())}
      className="link-button"
    >
      {noticeTexts.enableNotifications}
    </button>
  );
}
