// Who is signed in. The token lives in sessionStorage (gone with the tab);
// each sign-in gets a fresh urql client, so no cached data outlives the
// administrator who loaded it.
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { Provider, useQuery } from "urql";
import { createUrqlClient } from "./client.ts";
import type { ViewerQuery } from "./gql/graphql.ts";
import { graphql } from "./gql/index.ts";

const TOKEN_KEY = "anshin.token";

export const LoginMutation = graphql(`
  mutation Login($loginId: String!, $password: String!) {
    login(loginId: $loginId, password: $password) {
      token
      userErrors { code message }
    }
  }
`);

const ViewerDocument = graphql(`
  query Viewer {
    viewer {
      kind
      scopes
      account { id name }
      administrator { id name loginId role }
    }
  }
`);

interface Session {
  token: string | null;
  viewer: ViewerQuery["viewer"] | null;
  signIn(token: string): void;
  logout(): void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const logout = useCallback(() => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
  }, []);
  const signIn = useCallback((next: string) => {
    sessionStorage.setItem(TOKEN_KEY, next);
    setToken(next);
  }, []);
  const client = useMemo(() => createUrqlClient(token, logout), [token, logout]);
  return (
    <Provider value={client}>
      <ViewerGate token={token} signIn={signIn} logout={logout}>
        {children}
      </ViewerGate>
    </Provider>
  );
}

function ViewerGate({
  token,
  signIn,
  logout,
  children,
}: {
  token: string | null;
  signIn: (token: string) => void;
  logout: () => void;
  children: ReactNode;
}) {
  const [result] = useQuery({ query: ViewerDocument, pause: !token, requestPolicy: "cache-first" });
  const viewer = token ? (result.data?.viewer ?? null) : null;
  // A token the server no longer accepts (expired, logged out elsewhere).
  if (token && result.data && !result.data.viewer) queueMicrotask(logout);
  const session = useMemo(() => ({ token, viewer, signIn, logout }), [token, viewer, signIn, logout]);
  if (token && !result.data && !result.error) return null;
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
