// Tells MAIN administrators, at the top of every screen, that a webhook
// endpoint was disabled after failing for the whole failure period (issue 18:
// never silently; the same text is mailed to them, services/webhooks/
// dispatcher.ts). The API has no acknowledgement: a notice shows until the
// endpoint is enabled again (webhookNotices lists the unresolved ones). Asked
// again on every screen change and every minute, so a tab left open hears of
// it without a reload.
import { useEffect } from "react";
import { useQuery } from "urql";
import { Link, useLocation } from "wouter";
import { graphql } from "../gql/index.ts";
import { useSession } from "../session.tsx";
import { webhookTexts } from "../texts.ts";

const WebhookNoticesQuery = graphql(`
  query WebhookNotices {
    webhookNotices { id message createdAt endpoint { id } }
  }
`);

/** How often an open screen asks again (ms). */
const REFRESH_MS = 60_000;

export function WebhookNotices() {
  const { viewer } = useSession();
  const allowed = viewer?.scopes.includes("MANAGE_WEBHOOKS") ?? false;
  return allowed ? <Notices /> : null;
}

function Notices() {
  const [location] = useLocation();
  const [{ data }, reexecute] = useQuery({ query: WebhookNoticesQuery, requestPolicy: "cache-and-network" });
  // biome-ignore lint/correctness/useExhaustiveDependencies: asked again when the screen changes
  useEffect(() => {
    reexecute({ requestPolicy: "network-only" });
  }, [location, reexecute]);
  useEffect(() => {
    const timer = setInterval(() => reexecute({ requestPolicy: "network-only" }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reexecute]);
  const notices = data?.webhookNotices ?? [];
  return (
    <div role="status" aria-label={webhookTexts.noticeRegion} className="notices">
      {notices.map((notice) => (
        <div key={notice.id} className="notice" data-status="FAILED">
          <p>{notice.message}</p>
          <span>{webhookTexts.noticeUntil}</span>
          {location !== webhookTexts.menuEntry.path && (
            <Link href={webhookTexts.menuEntry.path}>{webhookTexts.toList}</Link>
          )}
        </div>
      ))}
    </div>
  );
}
