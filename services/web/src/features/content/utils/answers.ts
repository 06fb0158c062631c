// Checking a learner's answer against the exercise's answer, immediately, in the browser.

/** Lower case, no punctuation or accents, single spaces. */
export function normalizeAnswer(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

export function isChoiceCorrect(choice: string, answer: string): boolean {
  return choice === answer || normalizeAnswer(choice) === normalizeAnswer(answer);
}

const STOP_WORDS = new Set(["a", "an", "the", "of", "to", "is", "it", "and", "or", "in", "on", "for"]);

function keywords(text: string): string[] {
  return normalizeAnswer(text)
    .split(" ")
    .filter((word) => word && !STOP_WORDS.has(word));
}

/**
 * A free-text answer matches when, normalized, it equals the expected answer or contains at
 * least 80% of its key words. Otherwise the learner compares it with the expected answer
 * and says whether they had it (self-assessment).
 */
export function isFreeTextMatch(given: string, expected: string): boolean {
  const a = normalizeAnswer(given);
  const b = normalizeAnswer(expected);
  if (!a || !b) return false;
  if (a === b) return true;
  const expectedWords = keywords(expected);
  if (expectedWords.length === 0) return false;
  const givenWords = new Set(keywords(given));
  const hits = expectedWords.filter((word) => givenWords.has(word)).length;
  return hits / expectedWords.length >= 0.8;
}
