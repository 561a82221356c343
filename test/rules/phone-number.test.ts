// Phone numbers as administrators write them (「CSVで選択」, domain/phone-number.ts).
import { describe, expect, it } from "vitest";
import { normalizePhoneNumber } from "../../domain/phone-number.ts";

describe("normalizePhoneNumber", () => {
  it("reads the usual ways of writing a mobile number as its stored form", () => {
    for (const written of [
      "090-1234-5678",
      "09012345678",
      "０９０－１２３４－５６７８",
      "０９０１２３４５６７８",
      " 090 1234 5678 ",
      "090ー1234ー5678",
      "090−1234−5678",
      "(090)1234-5678",
      "'09012345678",
      "9012345678",
      "+81 90-1234-5678",
      "+819012345678",
      "819012345678",
    ]) {
      expect(normalizePhoneNumber(written), written).toBe("090-1234-5678");
    }
  });

  it("anything else is no number", () => {
    for (const written of [
      "",
      "abc",
      "090-1234-567",
      "090-1234-56789",
      "0120-123-456",
      "03-1234-5678",
      "電話番号",
      "090-1234-567８9",
    ]) {
      expect(normalizePhoneNumber(written), written).toBeNull();
    }
  });
});
