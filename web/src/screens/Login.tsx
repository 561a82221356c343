// The sign-in form. The field is 管理者ID, as the manual names it (履歴's
// column) and as the error for a wrong one says. After a session ended, it says
// why first, and that signing in returns to the screen left (session.tsx).
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useMutation } from "urql";
import { ErrorMessages } from "../components/Messages.tsx";
import { LoginMutation, type SessionEnd, useSession } from "../session.tsx";
import { commonTexts, loginTexts, serviceName, sessionTexts } from "../texts.ts";
import { isScreenChange, setScreenTitle } from "../title.ts";

function endedMessage(ended: SessionEnd): string {
  return ended.reason === "IDLE"
    ? sessionTexts.ended.IDLE(ended.idleSeconds)
    : sessionTexts.ended[ended.reason];
}

export function Login() {
  const session = useSession();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    setScreenTitle(loginTexts.title);
    if (isScreenChange()) heading.current?.focus();
  }, []);
  const [loginId, setLoginId] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [state, login] = useMutation(LoginMutation);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await login({ loginId: loginId.trim(), password });
    if (result.error) return setErrors([commonTexts.networkError]);
    const payload = result.data?.login;
    if (payload?.token) session.signIn(payload.token);
    else setErrors(payload?.userErrors.map((e) => e.message) ?? []);
  }

  return (
    <section className="login" aria-labelledby="login-title">
      <p className="service">{serviceName}</p>
      <h1 id="login-title" ref={heading} tabIndex={-1}>
        {loginTexts.title}
      </h1>
      {session.ended && errors.length === 0 && (
        <div className="session-ended" role="alert">
          <p>{endedMessage(session.ended)}</p>
          {session.keptFor && <p className="note">{sessionTexts.resume}</p>}
        </div>
      )}
      <ErrorMessages errors={errors} />
      <form onSubmit={submit}>
        <label>
          {loginTexts.loginId}
          <input
            name="loginId"
            autoComplete="username"
            required
            value={loginId}
            onChange={(e) => setLoginId(e.target.value)}
          />
        </label>
        <label>
          {loginTexts.password}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" className="primary" disabled={state.fetching}>
          {loginTexts.submit}
        </button>
      </form>
    </section>
  );
}
