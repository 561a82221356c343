import type { ReactNode } from "react";
import { useMutation } from "urql";
import { Link } from "wouter";
import { graphql } from "../gql/index.ts";
import { useSession } from "../session.tsx";
import { commonTexts, serviceName, statusTexts } from "../texts.ts";

const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const [, logout] = useMutation(LogoutMutation);
  const admin = session.viewer?.administrator;
  return (
    <div className="app">
      <header className="app-header">
        <Link href="/" className="brand">
          {serviceName}
        </Link>
        {session.viewer && (
          <div className="who">
            <span>{session.viewer.account.name}</span>
            {admin && (
              <span>
                {admin.name}（{statusTexts.role[admin.role]}・{admin.loginId}）
              </span>
            )}
            <button
              type="button"
              className="link-button"
              onClick={() => void logout({}).finally(session.logout)}
            >
              {commonTexts.logout}
            </button>
          </div>
        )}
      </header>
      <main className="app-main">{children}</main>
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
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
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
        <strong>STEP 1</strong> 利用可否設定をする対象回線選択と設定
      </li>
      <li aria-current={current === 2 ? "step" : undefined}>完了</li>
    </ol>
  );
}
