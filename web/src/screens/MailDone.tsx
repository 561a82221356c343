// 完了 of a mail request (アプリダウンロード依頼, パスワード通知, or a resend from
// 履歴詳細), by the receipt number in its URL: a reload or the same link in
// another tab shows the receipt and its live progress again. The lines that
// needed no mail (R9/R10) come with the mutation's answer only, so they are
// kept for this tab (sessionStorage) and shown while it lasts.
import { useQuery } from "urql";
import { Link, useParams, useSearch } from "wouter";
import { useWatchReceipt } from "../components/BatchNotices.tsx";
import { Page } from "../components/Layout.tsx";
import { MailSent } from "../components/MailSent.tsx";
import { Loading, RequestError } from "../components/Messages.tsx";
import { graphql } from "../gql/index.ts";
import { commonTexts, mailTexts } from "../texts.ts";

const DoneReceiptQuery = graphql(`
  query DoneReceipt($number: String!) {
    receipt(number: $number) {
      id number kind status
      progress { total pending processing succeeded failed }
    }
  }
`);

type Skipped = Parameters<typeof MailSent>[0]["skipped"];

const skippedKey = (number: string) => `anshin.skipped.${number}`;

/** Keeps a mail request's skipped lines for its 完了 screen in this tab. */
export function rememberSkipped(number: string, skipped: Skipped) {
  try {
    sessionStorage.setItem(skippedKey(number), JSON.stringify(skipped));
  } catch {
    // Storage disabled: 完了 shows the receipt without them after a reload.
  }
}

function recallSkipped(number: string): Skipped {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(skippedKey(number)) ?? "[]") as unknown;
    return Array.isArray(parsed) ? (parsed as Skipped) : [];
  } catch {
    return [];
  }
}

/**
 * Where 完了 of a mail request is. `from`: the receipt whose lines the next
 * screen starts with (an app-download mail's 完了 leads to the password notice).
 */
export function mailDonePath(
  receipt: { number: string; kind: "APP_DOWNLOAD_MAIL" | "PASSWORD_NOTICE_MAIL" | "PERMISSION_CHANGE" },
  options: { from?: string | null; resentFrom?: string } = {},
): string {
  if (options.resentFrom) return `/history/${options.resentFrom}/resent/${receipt.number}`;
  const base = receipt.kind === "PASSWORD_NOTICE_MAIL" ? "/passwords" : "/app-mail";
  return `${base}/done/${receipt.number}${options.from ? `?from=${encodeURIComponent(options.from)}` : ""}`;
}

export function MailDone({ resend = false }: { resend?: boolean }) {
  const { number = "" } = useParams<{ number: string }>();
  const from = new URLSearchParams(useSearch()).get("from");
  const [{ data, fetching, error }] = useQuery({ query: DoneReceiptQuery, variables: { number } });
  const receipt = data?.receipt;
  useWatchReceipt(receipt);

  if (fetching && !data) return <Loading />;
  if (!receipt || receipt.kind === "PERMISSION_CHANGE") {
    return (
      <Page title={mailTexts.resend}>
        <RequestError error={error} />
        <p className="empty">{commonTexts.emptyReceipts}</p>
        <Link href="/history" className="button">
          {commonTexts.back}
        </Link>
      </Page>
    );
  }
  const app = receipt.kind === "APP_DOWNLOAD_MAIL";
  return (
    <MailSent
      title={resend ? mailTexts.resend : app ? mailTexts.appTitle : mailTexts.passwordTitle}
      lead={resend ? mailTexts.resendDoneLead : mailTexts.appDoneLead}
      receipt={receipt}
      skipped={recallSkipped(receipt.number)}
      next={
        app && !resend
          ? {
              // The password notice starts with the lines just allowed (from a
              // permission change) or, without one, the lines just mailed.
              href: `/passwords?from=${encodeURIComponent(from ?? receipt.number)}`,
              label: mailTexts.toPasswordNotice,
            }
          : undefined
      }
    />
  );
}
