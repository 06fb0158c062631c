import { describe, expect, it } from "vitest";

import { isChoiceCorrect, isFreeTextMatch, normalizeAnswer } from "./answers";

describe("answers", () => {
  it("normalizes case, punctuation and accents", () => {
    expect(normalizeAnswer("  Café, LEFT-join! ")).toBe("cafe left join");
  });

  it("checks a choice", () => {
    expect(isChoiceCorrect("LEFT JOIN", "LEFT JOIN")).toBe(true);
    expect(isChoiceCorrect("left join.", "LEFT JOIN")).toBe(true);
    expect(isChoiceCorrect("INNER JOIN", "LEFT JOIN")).toBe(false);
  });

  it("accepts a free-text answer with the key words", () => {
    expect(isFreeTextMatch("only the rows that match in both tables", "Only rows that match in both tables")).toBe(true);
    expect(isFreeTextMatch("rows", "Only rows that match in both tables")).toBe(false);
    expect(isFreeTextMatch("", "anything")).toBe(false);
  });
});
