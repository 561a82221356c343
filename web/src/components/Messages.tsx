import type { CombinedError } from "urql";
import { commonTexts } from "../texts.ts";

/** userErrors (exact texts from the server) or a local error, announced to screen readers. */
export function ErrorMessages({ errors }: { errors: readonly (string | { message: string })[] }) {
  if (errors.length === 0) return null;
  return (
    <div className="errors" role="alert">
      {errors.map((error) => {
        const text = typeof error === "string" ? error : error.message;
        return <p key={text}>{text}</p>;
      })}
    </div>
  );
}

/** A failed request (network, server): a plain message, never a stack trace. */
export function RequestError({ error }: { error: CombinedError | undefined }) {
  if (!error) return null;
  const message = error.graphQLErrors[0]?.message ?? commonTexts.networkError;
  return <ErrorMessages errors={[message]} />;
}

export function Loading() {
  return (
    <p className="loading" aria-busy="true">
      {commonTexts.loading}
    </p>
  );
}
