// Client-side checks that mirror the server's rules (the server's answer still wins).
import { fromLocalInputValue } from "./format";

export type SignUpField = "username" | "email" | "password";

export function validateSignUp(values: Record<SignUpField, string>): Partial<Record<SignUpField, string>> {
  const errors: Partial<Record<SignUpField, string>> = {};
  const username = values.username.trim();
  if (username.length < 3 || username.length > 80) errors.username = "Use 3 to 80 characters.";
  else if (!/^[A-Za-z0-9_.-]+$/.test(username)) errors.username = "Use only letters, digits, '.', '_' and '-'.";
  const email = values.email.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.email = "Enter a valid email address.";
  else if (email.length > 120) errors.email = "Use at most 120 characters.";
  if (values.password.length < 8) errors.password = "Use at least 8 characters.";
  return errors;
}

/** A concept: 1–200 characters after trimming, no control characters. */
export function validateConcept(concept: string): string | null {
  const text = concept.trim();
  if (!text) return "Name a concept, e.g. “SQL joins”.";
  if (text.length > 200) return "Use at most 200 characters.";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return "Remove control characters.";
  return null;
}

/** The session form's fields, named as the server names them (its errors land on the same ones). */
export const SESSION_FIELDS = [
  "session_start",
  "session_end",
  "duration_minutes",
  "completion_rate",
  "performance_score",
  "exercises_completed",
  "content_accessed",
] as const;
export type SessionField = (typeof SESSION_FIELDS)[number];

function checkPercent(text: string): string | null {
  if (!text.trim()) return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 && value <= 100 ? null : "Enter a number from 0 to 100.";
}

/** Validate before sending; the server checks again and its errors land on the same fields. */
export function validateSession(values: {
  start: string;
  end: string;
  duration: string;
  completion: string;
  performance: string;
}): Partial<Record<SessionField, string>> {
  const errors: Partial<Record<SessionField, string>> = {};
  const start = fromLocalInputValue(values.start);
  const end = fromLocalInputValue(values.end);
  if (!start) errors.session_start = "When did you start?";
  if (start && end && Date.parse(end) < Date.parse(start)) errors.session_end = "The end must not be before the start.";
  if (values.duration.trim()) {
    const minutes = Number(values.duration);
    if (!Number.isInteger(minutes) || minutes < 0 || minutes > 100_000) errors.duration_minutes = "Whole minutes, 0 or more.";
  }
  const completion = checkPercent(values.completion);
  if (completion) errors.completion_rate = completion;
  const performance = checkPercent(values.performance);
  if (performance) errors.performance_score = performance;
  return errors;
}

