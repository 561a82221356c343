// Who is signed in. The token lives in localStorage, so every tab of the
// browser shares one session (README: "Sessions in the browser" states the
// trade-off); each token gets a fresh urql client, so no cached data outlives
// the administrator who loaded it.
//
// A session can end while screens are open: a logout in another tab, another
// browser or the API, its expiry or revocation, or the server's idle timeout
// (an UNAUTHENTICATED answer, or a subscription ending with one). Then the
// sign-in form says why, and the screens stay mounted but hidden: the same
// administrator signing in again finds the screen and its unsent selection as
// they left them; anyone else starts afresh at the menu.
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { type Client, Provider } from "urql";
import { createUrqlClient } from "./client.ts";
import type { ViewerQuery } from "./gql/graphql.ts";
import { graphql } from "./gql/index.ts";

const TOKEN_KEY = "anshin.token";
/** When the server last accepted this browser's token (epoch ms), written by every tab. */
const ACCEPTED_KEY = "anshin.acceptedAt";
/** Why the session ended, for the other tabs (a storage event shows them only the token going). */
const ENDED_KEY = "anshin.ended";

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
      sessionIdleTimeoutSeconds
      account { id name }
      administrator { id name loginId role }
    }
  }
`);

type Viewer = NonNullable<ViewerQuery["viewer"]>;

/**
 * Why the administrator must sign in again: the idle timeout, a logout in
 * another tab of this browser, or anything else that ended it (expiry, a
 * logout elsewhere, revocation), which the server does not tell apart.
 */
export type EndReason = "IDLE" | "LOGGED_OUT_ELSEWHERE" | "ENDED";

export interface SessionEnd {
  reason: EndReason;
  /** The idle timeout the server told (viewer.sessionIdleTimeoutSeconds). */
  idleSeconds: number | null;
}

interface Session {
  token: string | null;
  /** The signed-in caller; null while signed out (or while a sign-in is being checked). */
  viewer: Viewer | null;
  /** Why the last session ended, while the sign-in form asks for the next. */
  ended: SessionEnd | null;
  /** Screens kept (hidden) for this administrator's next sign-in; null when there are none. */
  keptFor: string | null;
  /** Changes when the screens must start afresh (an explicit logout, another administrator). */
  screensKey: number;
  signIn(token: string): void;
  /** An explicit logout: this tab's screens are dropped; the other tabs keep theirs and say why. */
  logout(): void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: a session for this tab only
  }
}

function writeStorage(key: string, value: string | null) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // As above.
  }
}

/**
 * How far behind the server's record of a session's last use may lag the real
 * one (services/auth.ts lastUsedResolutionMs): within this of its idle
 * timeout, a refused session is taken for an idle one.
 */
function idleSlackMs(idleMs: number) {
  return Math.min(60_000, idleMs / 10) + 2_000;
}

interface State {
  token: string | null;
  ended: SessionEnd | null;
  keptFor: string | null;
  screensKey: number;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>(() => ({
    token: readStorage(TOKEN_KEY),
    ended: null,
    keptFor: null,
    screensKey: 0,
  }));
  // What the callbacks below need of the latest render, without re-creating the client.
  const latest = useRef({
    token: state.token,
    adminId: null as string | null,
    idleSeconds: null as number | null,
  });
  latest.current.token = state.token;

  /** The session of `token` ended; `reason` when known, else judged from the last accepted request. */
  const end = useCallback((token: string, known?: EndReason) => {
    const { adminId, idleSeconds } = latest.current;
    if (latest.current.token !== token) return;
    const idleMs = (idleSeconds ?? 0) * 1000;
    const acceptedAt = Number(readStorage(ACCEPTED_KEY) ?? 0);
    const reason: EndReason =
      known ?? (idleMs > 0 && Date.now() - acceptedAt >= idleMs - idleSlackMs(idleMs) ? "IDLE" : "ENDED");
    // The other tabs learn why before they see the token go.
    writeStorage(ENDED_KEY, JSON.stringify({ reason, idleSeconds, at: Date.now() }));
    if (readStorage(TOKEN_KEY) === token) writeStorage(TOKEN_KEY, null);
    latest.current.token = null;
    setState((current) => ({
      ...current,
      token: null,
      ended: { reason, idleSeconds },
      keptFor: current.keptFor ?? adminId,
    }));
  }, []);

  const signIn = useCallback((token: string) => {
    writeStorage(ENDED_KEY, null);
    writeStorage(TOKEN_KEY, token);
    writeStorage(ACCEPTED_KEY, String(Date.now()));
    latest.current.token = token;
    setState((current) => ({ ...current, token }));
  }, []);

  const logout = useCallback(() => {
    writeStorage(
      ENDED_KEY,
      JSON.stringify({ reason: "LOGGED_OUT_ELSEWHERE", idleSeconds: null, at: Date.now() }),
    );
    writeStorage(TOKEN_KEY, null);
    latest.current.token = null;
    setState((current) => ({
      token: null,
      ended: null,
      keptFor: null,
      screensKey: current.screensKey + 1,
    }));
  }, []);

  // Another tab signed in or out: this one follows.
  useEffect(() => {
    function onStorage(event: StorageEvent) {
      if (event.storageArea !== localStorage || event.key !== TOKEN_KEY) return;
      const current = latest.current.token;
      if (event.newValue === current) return;
      if (event.newValue) {
        latest.current.token = event.newValue;
        setState((s) => ({ ...s, token: event.newValue }));
        return;
      }
      if (!current) return;
      const told = parseEnded(readStorage(ENDED_KEY));
      end(current, told?.reason ?? "LOGGED_OUT_ELSEWHERE");
    }
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, [end]);

  const client = useMemo(() => {
    const token = state.token;
    let written = 0;
    return createUrqlClient(token, () => token && end(token), {
      // Any request the server answered with this token: the session was in use (idle timeout).
      onAccepted: (result) => {
        // viewer: null is the server not knowing the token: refused, not accepted.
        const data = result.data as { viewer?: unknown } | undefined;
        if (data && "viewer" in data && data.viewer === null) return;
        if (Date.now() - written < 1_000) return;
        written = Date.now();
        writeStorage(ACCEPTED_KEY, String(written));
      },
    });
  }, [state.token, end]);

  return (
    <Provider value={client}>
      <ViewerGate state={state} setState={setState} client={client} end={end} latest={latest}>
        {(viewer) => (
          <SessionContext.Provider
            value={{
              token: state.token,
              viewer,
              ended: state.ended,
              keptFor: state.keptFor,
              screensKey: state.screensKey,
              signIn,
              logout,
            }}
          >
            {children}
          </SessionContext.Provider>
        )}
      </ViewerGate>
    </Provider>
  );
}

function parseEnded(value: string | null): SessionEnd | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as Partial<SessionEnd> & { at?: number };
    // Only a recent note: an old one belongs to another session.
    if (typeof parsed.at !== "number" || Date.now() - parsed.at > 60_000) return null;
    const reason = parsed.reason;
    if (reason !== "IDLE" && reason !== "ENDED" && reason !== "LOGGED_OUT_ELSEWHERE") return null;
    return { reason, idleSeconds: typeof parsed.idleSeconds === "number" ? parsed.idleSeconds : null };
  } catch {
    return null;
  }
}

function ViewerGate({
  state,
  setState,
  client,
  end,
  latest,
  children,
}: {
  state: State;
  setState: (update: (current: State) => State) => void;
  client: Client;
  end: (token: string, known?: EndReason) => void;
  latest: { current: { token: string | null; adminId: string | null; idleSeconds: number | null } };
  children: (viewer: Viewer | null) => ReactNode;
}) {
  const { token } = state;
  // Who the token is, asked once per token with that token's client: an
  // answer is used only for the token it was asked for (never a previous
  // administrator's viewer while the next one signs in).
  const [checked, setChecked] = useState<{ token: string; viewer: Viewer | null; failed: boolean } | null>(
    null,
  );
  useEffect(() => {
    if (!token) return;
    let current = true;
    void client
      .query(ViewerDocument, {}, { requestPolicy: "network-only" })
      .toPromise()
      .then((answer) => {
        if (current) setChecked({ token, viewer: answer.data?.viewer ?? null, failed: !answer.data });
      });
    return () => {
      current = false;
    };
  }, [client, token]);
  const answer = token && checked?.token === token ? checked : null;
  const viewer = answer?.viewer ?? null;
  const adminId = viewer?.administrator?.id ?? null;
  const idleSeconds = viewer?.sessionIdleTimeoutSeconds ?? null;
  if (viewer) {
    latest.current.adminId = adminId;
    latest.current.idleSeconds = idleSeconds;
  }

  // A token the server no longer accepts (expired, logged out elsewhere, idle);
  // a failed request (the server unreachable) is not a refusal.
  const refused = Boolean(answer && !answer.failed && !answer.viewer);
  useEffect(() => {
    if (refused && token) end(token);
  }, [refused, token, end]);

  // Signed in again: the same administrator gets the kept screens back; anyone
  // else a fresh start (App.tsx takes them to the menu).
  useEffect(() => {
    if (!viewer) return;
    setState((current) => {
      if (current.keptFor === null && current.ended === null) return current;
      const same = current.keptFor === null || current.keptFor === adminId;
      return {
        ...current,
        ended: null,
        keptFor: null,
        screensKey: same ? current.screensKey : current.screensKey + 1,
      };
    });
  }, [viewer, adminId, setState]);

  useIdleCheck(token, idleSeconds, client, end);
  useCheckOnReturn(viewer ? token : null, client, end);

  // While a stored token is first checked, nothing is shown (no flash of the sign-in form).
  if (token && !answer && state.keptFor === null && state.ended === null) return null;
  return <>{children(viewer)}</>;
}

/**
 * The idle timeout, told without waiting for the next click: once no request
 * of this browser was accepted for longer than the server's timeout, the
 * server is asked (viewer); if it no longer knows the session, it ended for
 * idleness. Any tab's request counts (ACCEPTED_KEY).
 */
function useIdleCheck(
  token: string | null,
  idleSeconds: number | null,
  client: Client,
  end: (token: string, known?: EndReason) => void,
) {
  useEffect(() => {
    if (!token || !idleSeconds) return;
    const idleMs = idleSeconds * 1000;
    let asking = false;
    const timer = setInterval(
      async () => {
        const acceptedAt = Number(readStorage(ACCEPTED_KEY) ?? 0);
        if (asking || Date.now() - acceptedAt <= idleMs + 1_000) return;
        asking = true;
        try {
          const answer = await client
            .query(ViewerDocument, {}, { requestPolicy: "network-only" })
            .toPromise();
          if (answer.data && !answer.data.viewer) end(token, "IDLE");
        } finally {
          asking = false;
        }
      },
      Math.max(1_000, Math.min(15_000, idleMs / 4)),
    );
    return () => clearInterval(timer);
  }, [token, idleSeconds, client, end]);
}

/**
 * A tab the administrator comes back to asks whether its session still holds
 * (at most every 10 s), so a logout elsewhere or an expiry is told then, not
 * at the next click.
 */
function useCheckOnReturn(
  token: string | null,
  client: Client,
  end: (token: string, known?: EndReason) => void,
) {
  useEffect(() => {
    if (!token) return;
    let askedAt = Date.now();
    const check = async () => {
      if (document.visibilityState !== "visible" || Date.now() - askedAt < 10_000) return;
      askedAt = Date.now();
      const answer = await client.query(ViewerDocument, {}, { requestPolicy: "network-only" }).toPromise();
      if (answer.data && !answer.data.viewer) end(token);
    };
    window.addEventListener("focus", check);
    document.addEventListener("visibilitychange", check);
    return () => {
      window.removeEventListener("focus", check);
      document.removeEventListener("visibilitychange", check);
    };
  }, [token, client, end]);
}
