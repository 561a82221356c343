// @vitest-environment happy-dom
// LiveProgress with a fake urql client built from wonka streams (as urql's
// docs test components): the bar follows the batches it is given (here one
// event each).
import { act, cleanup, render, screen } from "@testing-library/react";
import { Provider } from "urql";
import { afterEach, describe, expect, it } from "vitest";
import { fromArray, never } from "wonka";
import { LiveProgress } from "../../web/src/components/LiveProgress.tsx";

afterEach(cleanup);

const progress = (succeeded: number, failed: number, total = 4) => ({
  total,
  succeeded,
  failed,
  pending: total - succeeded - failed,
  processing: 0,
});

function fakeClient(events: unknown[]) {
  return {
    executeQuery: () => never,
    executeMutation: () => never,
    executeSubscription: () =>
      fromArray(
        (events as ReturnType<typeof event>[]).map(({ receipt, ...one }) => ({
          data: { receiptProgressBatch: { lastSeq: one.seq, receipt, events: [one] } },
          stale: false,
          hasNext: true,
        })),
      ),
  } as never;
}

const event = (seq: number, status: string, p: ReturnType<typeof progress>) => ({
  seq,
  snapshot: seq === 1,
  status,
  receipt: { id: "r1", status, completedAt: null, progress: p },
  item: null,
});

describe("LiveProgress", () => {
  it("shows the counts and percentage of the latest event, and the final status", async () => {
    const client = fakeClient([
      event(1, "PROCESSING", progress(0, 0)),
      event(2, "PROCESSING", progress(2, 0)),
      event(3, "FAILED", progress(3, 1)),
    ]);
    await act(async () => {
      render(
        <Provider value={client}>
          <LiveProgress receiptId="r1" />
        </Provider>,
      );
    });
    const bar = screen.getByRole("progressbar");
    expect(bar.getAttribute("aria-valuenow")).toBe("4");
    expect(bar.getAttribute("aria-valuetext")).toBe("100%");
    expect(screen.getByText("異常終了")).toBeTruthy();
    expect(screen.getByText("正常終了 3件 / 異常終了 1件 / 処理待ち 0件 (全4件)")).toBeTruthy();
  });

  it("says why a receipt is still 処理中 while its items wait for the carrier, and stops saying it after", async () => {
    const retryAt = "2026-11-24T01:05:00.000Z"; // 10:05 JST
    const waiting = (
      seq: number,
      status: string,
      p: ReturnType<typeof progress>,
      waitingFor: string | null,
    ) => ({
      ...event(seq, status, p),
      receipt: { ...event(seq, status, p).receipt, waitingFor, retryAt: waitingFor ? retryAt : null },
    });
    const render1 = async (events: unknown[]) => {
      await act(async () => {
        render(
          <Provider value={fakeClient(events)}>
            <LiveProgress receiptId="r1" />
          </Provider>,
        );
      });
    };
    await render1([waiting(1, "PROCESSING", progress(1, 0), "CARRIER")]);
    // The time is in the future only before 10:05 JST on that day; later, "due now".
    const note = screen.getByRole("status").textContent;
    expect([
      "キャリアの応答待ちのため、自動で再試行します（次回 10:05 頃）。",
      "キャリアの応答待ちのため、自動で再試行しています。",
    ]).toContain(note);
    cleanup();
    await render1([
      waiting(1, "PROCESSING", progress(1, 0), "CARRIER"),
      waiting(2, "SUCCEEDED", progress(4, 0), null),
    ]);
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("does not subscribe to a receipt that has already finished", async () => {
    let subscribed = false;
    const client = {
      executeQuery: () => never,
      executeSubscription: () => {
        subscribed = true;
        return never;
      },
    } as never;
    await act(async () => {
      render(
        <Provider value={client}>
          <LiveProgress receiptId="r1" initial={{ status: "SUCCEEDED", progress: progress(4, 0) }} />
        </Provider>,
      );
    });
    expect(subscribed).toBe(false);
    expect(screen.getByRole("progressbar").getAttribute("aria-valuetext")).toBe("100%");
  });
});
