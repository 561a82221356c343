import { Link } from "wouter";
import { Page } from "../components/Layout.tsx";
import { useSession } from "../session.tsx";
import { auditLogTexts, commonTexts, menuTexts, webhookTexts } from "../texts.ts";

export function Menu() {
  // 監査ログ: for those who may read it (MAIN administrators).
  const { viewer } = useSession();
  const entries = [
    ...menuTexts.entries,
    ...(viewer?.scopes.includes("READ_AUDIT") ? [auditLogTexts.menuEntry] : []),
    // Webhook: MAIN administrators (MANAGE_WEBHOOKS).
    ...(viewer?.scopes.includes("MANAGE_WEBHOOKS") ? [webhookTexts.menuEntry] : []),
  ];
  return (
    <Page title={commonTexts.serviceMenu} lead={[menuTexts.intro]}>
      <ul className="menu">
        {entries.map((entry) => (
          <li key={entry.path}>
            <h2>{entry.title}</h2>
            {entry.help.map((line) => (
              <p key={line}>{line}</p>
            ))}
            <Link
              href={entry.path}
              className="button primary"
              aria-label={`${entry.title} ${menuTexts.next}`}
            >
              {menuTexts.next}
            </Link>
          </li>
        ))}
      </ul>
    </Page>
  );
}
