import { type ReactNode, useEffect, useRef } from "react";
import { useMutation } from "urql";
import { Link } from "wouter";
import { graphql } from "../gql/index.ts";
import { useSession } from "../session.tsx";
import { commonTexts, guidanceTexts, serviceName, statusTexts } from "../texts.ts";
import { isScreenChange, setScreenTitle } from "../title.ts";
import { BatchNotices } from "./BatchNotices.tsx";
import { WebhookNotices } from "./WebhookNotices.tsx";

const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const [, logout] = useMutation(LogoutMutation);
  const admin = session.viewer?.administrator;
  const role = admin ? statusTexts.role[admin.role] : "";
  return (
    <div className="app">
      <a href="#main" className="skip-link">
        {guidanceTexts.skipToMain}
      </a>
      <header className="app-header">
        <Link href="/" className="brand">
          {serviceName}
        </Link>
        {session.viewer && (
          <div className="who">
            <span>{session.viewer.account.name}</span>
            {admin && (
              // The role once: names such as 代理管理者(サブ管理者) already say it.
              <span>
                {admin.name.includes(role)
                  ? `${admin.name}（${admin.loginId}）`
                  : `${admin.name}（${role}・${admin.loginId}）`}
              </span>
            )}
            <button
              type="button"
              className="link-button"
              onClick={() => {
                // Sent with this token; signed out here at once (and in the other tabs).
                void logout({});
                session.logout();
              }}
            >
              {commonTexts.logout}
            </button>
          </div>
        )}
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        {session.viewer && <BatchNotices />}
        {session.viewer && <WebhookNotices />}
        {children}
      </main>
    </div>
  );
}

export function Page({
  title,
  lead,
  children,
}: {
  title: string;
  lead?: readonly string[];
  children: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  // A new screen: its own title in the tab, and focus on its heading (not
  // lost to <body>), where a screen reader starts reading it.
  useEffect(() => {
    setScreenTitle(title);
    if (isScreenChange()) heading.current?.focus();
  }, [title]);
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title" ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {lead?.map((line) => (
        <p key={line} className="lead">
          {line}
        </p>
      ))}
      {children}
    </section>
  );
}

/** STEP 1 → 完了, as at the top of the manual's 利用可否設定 screens. */
export function Steps({ current }: { current: 1 | 2 }) {
  return (
    <ol className="steps" aria-label="手順">
      <li aria-current={current === 1 ? "step" : undefined}>
        <strong>STEP 1</strong> <span className="step-label">利用可否設定をする対象回線選択と設定</span>
      </li>
      <li aria-current={current === 2 ? "step" : undefined}>完了</li>
    </ol>
  );
}
