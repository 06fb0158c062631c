// Client-side checks that mirror the server's rules (the server's answer still wins).
import { fromLocalInputValue } from "@/lib/format";

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
