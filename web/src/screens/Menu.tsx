import { Link } from "wouter";
import { Page } from "../components/Layout.tsx";
import { commonTexts, menuTexts } from "../texts.ts";

export function Menu() {
  return (
    <Page title={commonTexts.serviceMenu} lead={[menuTexts.intro]}>
      <ul className="menu">
        {menuTexts.entries.map((entry) => (
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
