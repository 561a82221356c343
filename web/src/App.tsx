import { Route, Switch } from "wouter";
import { Layout } from "./components/Layout.tsx";
import { FlowProvider } from "./flow.tsx";
import { AppMail } from "./screens/AppMail.tsx";
import { History } from "./screens/History.tsx";
import { HistoryDetail } from "./screens/HistoryDetail.tsx";
import { Login } from "./screens/Login.tsx";
import { Menu } from "./screens/Menu.tsx";
import { Passwords } from "./screens/Passwords.tsx";
import { PermissionConfirm } from "./screens/PermissionConfirm.tsx";
import { PermissionDone } from "./screens/PermissionDone.tsx";
import { PermissionGroups } from "./screens/PermissionGroups.tsx";
import { PermissionLines } from "./screens/PermissionLines.tsx";
import { PermissionStart } from "./screens/PermissionStart.tsx";
import { SessionProvider, useSession } from "./session.tsx";

function Screens() {
  const session = useSession();
  if (!session.viewer) {
    return (
      <Layout>
        <Login />
      </Layout>
    );
  }
  return (
    <FlowProvider>
      <Layout>
        <Switch>
          <Route path="/" component={Menu} />
          <Route path="/permissions" component={PermissionStart} />
          <Route path="/permissions/lines" component={PermissionLines} />
          <Route path="/permissions/groups" component={PermissionGroups} />
          <Route path="/permissions/confirm" component={PermissionConfirm} />
          <Route path="/permissions/done" component={PermissionDone} />
          <Route path="/app-mail" component={AppMail} />
          <Route path="/passwords" component={Passwords} />
          <Route path="/history">{() => <History />}</Route>
          <Route path="/history/password-mails">{() => <History passwordMails />}</Route>
          <Route path="/history/:number" component={HistoryDetail} />
          <Route>
            <Menu />
          </Route>
        </Switch>
      </Layout>
    </FlowProvider>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Screens />
    </SessionProvider>
  );
}
