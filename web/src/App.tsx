import { useEffect, useRef } from "react";
import { Route, Switch, useLocation } from "wouter";
import { Layout } from "./components/Layout.tsx";
import { FlowProvider } from "./flow.tsx";
import { AppMail } from "./screens/AppMail.tsx";
import { AuditLog } from "./screens/AuditLog.tsx";
import { History } from "./screens/History.tsx";
import { HistoryDetail } from "./screens/HistoryDetail.tsx";
import { Login } from "./screens/Login.tsx";
import { MailDone } from "./screens/MailDone.tsx";
import { Menu } from "./screens/Menu.tsx";
import { Passwords } from "./screens/Passwords.tsx";
import { PermissionConfirm } from "./screens/PermissionConfirm.tsx";
import { PermissionDone } from "./screens/PermissionDone.tsx";
import { PermissionGroups } from "./screens/PermissionGroups.tsx";
import { PermissionLines } from "./screens/PermissionLines.tsx";
import { PermissionStart } from "./screens/PermissionStart.tsx";
import { Webhooks } from "./screens/Webhooks.tsx";
import { SessionProvider, useSession } from "./session.tsx";

/**
 * Signed out, the sign-in form; signed in, the screens. Screens whose session
 * ended stay mounted (hidden) under the form: the same administrator signing
 * in again is back where they were, selection and all (session.tsx). Every
 * screen showing a receipt has its number in the URL, so a reload or a pasted
 * link in another tab (which shares the session) shows it again.
 */
function Screens() {
  const session = useSession();
  const signedIn = session.viewer !== null;
  const screens = useRef<HTMLDivElement>(null);
  const wasSignedIn = useRef(signedIn);
  const [, navigate] = useLocation();
  // Screens started afresh (a logout here, another administrator signing in): from the menu.
  const screensKey = useRef(session.screensKey);
  useEffect(() => {
    if (session.screensKey === screensKey.current) return;
    screensKey.current = session.screensKey;
    navigate("/", { replace: true });
  }, [session.screensKey, navigate]);
  // Back from the sign-in form: focus goes to the screen's heading, not <body>.
  useEffect(() => {
    if (signedIn && !wasSignedIn.current) screens.current?.querySelector<HTMLElement>("#page-title")?.focus();
    wasSignedIn.current = signedIn;
  }, [signedIn]);
  return (
    <>
      {!signedIn && (
        <Layout>
          <Login />
        </Layout>
      )}
      {(signedIn || session.keptFor !== null) && (
        <div ref={screens} hidden={!signedIn}>
          <FlowProvider key={session.screensKey}>
            <Layout>
              <Switch>
                <Route path="/" component={Menu} />
                <Route path="/permissions" component={PermissionStart} />
                <Route path="/permissions/lines" component={PermissionLines} />
                <Route path="/permissions/groups" component={PermissionGroups} />
                <Route path="/permissions/confirm" component={PermissionConfirm} />
                <Route path="/permissions/done/:number" component={PermissionDone} />
                <Route path="/app-mail" component={AppMail} />
                <Route path="/app-mail/done/:number">{() => <MailDone />}</Route>
                <Route path="/passwords" component={Passwords} />
                <Route path="/passwords/done/:number">{() => <MailDone />}</Route>
                <Route path="/history">{() => <History />}</Route>
                <Route path="/history/password-mails">{() => <History passwordMails />}</Route>
                <Route path="/history/:original/resent/:number">{() => <MailDone resend />}</Route>
                <Route path="/history/:number" component={HistoryDetail} />
                <Route path="/audit" component={AuditLog} />
                <Route path="/webhooks" component={Webhooks} />
                <Route>
                  <Menu />
                </Route>
              </Switch>
            </Layout>
          </FlowProvider>
        </div>
      )}
    </>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Screens />
    </SessionProvider>
  );
}
