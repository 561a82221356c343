import { type FormEvent, useState } from "react";
import { useMutation } from "urql";
import { ErrorMessages } from "../components/Messages.tsx";
import { LoginMutation, useSession } from "../session.tsx";
import { commonTexts, loginTexts, serviceName } from "../texts.ts";

export function Login() {
  const session = useSession();
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
      <h1 id="login-title">{loginTexts.title}</h1>
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
