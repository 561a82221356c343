// 照会 (R10): the passwords of the chosen lines, shown on the screen that asked
// only (MAIN/SUB with READ_PASSWORDS; the server audits each inquiry).
import { useState } from "react";
import { useMutation } from "urql";
import { InquirePasswords } from "../documents/mail.ts";
import { useSession } from "../session.tsx";
import { commonTexts } from "../texts.ts";

export function usePasswordInquiry() {
  const session = useSession();
  const [state, run] = useMutation(InquirePasswords);
  /** Password by line id, for the lines of the last inquiry. */
  const [passwords, setPasswords] = useState<Map<string, string>>(new Map());

  /** Asks for the lines' passwords; resolves to the messages to show. */
  async function inquire(lineIds: string[]): Promise<string[]> {
    const result = await run({ input: { lineIds } });
    const payload = result.data?.inquirePasswords;
    if (!payload) return [result.error?.graphQLErrors[0]?.message ?? commonTexts.networkError];
    setPasswords(new Map(payload.passwords.map((p) => [p.line.id, p.password])));
    return payload.userErrors.map((e) => e.message);
  }

  return {
    canInquire: session.viewer?.scopes.includes("READ_PASSWORDS") ?? false,
    inquire,
    inquiring: state.fetching,
    passwords,
    forget: () => setPasswords(new Map()),
  };
}
