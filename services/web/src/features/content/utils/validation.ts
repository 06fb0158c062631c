// Client-side checks that mirror the server's rules (the server's answer still wins).

/** A concept: 1–200 characters after trimming, no control characters. */
export function validateConcept(concept: string): string | null {
  const text = concept.trim();
  if (!text) return "Name a concept, e.g. “SQL joins”.";
  if (text.length > 200) return "Use at most 200 characters.";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return "Remove control characters.";
  return null;
}
