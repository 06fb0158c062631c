// Display formatting: dates, durations, percentages, money, labels.
import type { ContentSource, ContentType, ExperienceLevel, JobStatus, LearningStyle } from "@/lib/api/types";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const shortDate = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

function toDate(value: string | number | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

export function formatDateTime(value: string | number | Date): string {
  return dateTime.format(toDate(value));
}

export function formatDate(value: string | number | Date): string {
  return dateOnly.format(toDate(value));
}

export function formatShortDate(value: string | number | Date): string {
  return shortDate.format(toDate(value));
}

/** "in 5 minutes", "2 hours ago", "yesterday". */
export function formatRelative(value: string | number | Date, now: number = Date.now()): string {
  const seconds = Math.round((toDate(value).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds >= 0 ? "in a moment" : "just now";
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["minute", 60],
    ["hour", 3600],
    ["day", 86400],
    ["week", 604800],
    ["month", 2629800],
    ["year", 31557600],
  ];
  let chosen: [Intl.RelativeTimeFormatUnit, number] = ["minute", 60];
  for (const unit of units) {
    if (abs >= unit[1] * 0.9) chosen = unit;
  }
  return relative.format(Math.round(seconds / chosen[1]), chosen[0]);
}

/** 0.8 → "80%". */
export function formatPercent(fraction: number | null | undefined, digits = 0): string {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return "—";
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** Minutes → "45 min", "1 h 5 min". */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || Number.isNaN(minutes)) return "—";
  const total = Math.round(minutes);
  if (total < 60) return `${total} min`;
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

/** Milliseconds → "12:34" or "1:02:03" (a running timer). */
export function formatClock(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const mm = String(minutes).padStart(2, "0");
  const ss = String(seconds).padStart(2, "0");
  return hours ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  const digits = value !== 0 && Math.abs(value) < 0.1 ? 4 : 2;
  return `$${value.toFixed(digits)}`;
}

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 90) return `${seconds.toFixed(1)} s`;
  return formatMinutes(seconds / 60);
}

/** "tech_career" → "Tech career". */
export function formatNiche(niche: string): string {
  const text = niche.replace(/[_-]+/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const CONTENT_TYPE_LABEL: Record<ContentType, string> = {
  lesson: "Lesson",
  quiz: "Quiz",
  exercise: "Exercise",
};

export const EXPERIENCE_LABEL: Record<ExperienceLevel, string> = {
  beginner: "Beginner",
  intermediate: "Intermediate",
  advanced: "Advanced",
};

export const STYLE_LABEL: Record<LearningStyle, string> = {
  visual: "Visual",
  auditory: "Auditory",
  reading: "Reading & writing",
  kinesthetic: "Hands-on",
};

export const SOURCE_LABEL: Record<ContentSource, string> = {
  openai: "AI-written",
  cache: "Reused",
  fallback: "Offline",
};

export const STATUS_LABEL: Record<JobStatus, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
  canceled: "Canceled",
};

/** An <input type="datetime-local"> value (local time) for a date. */
export function toLocalInputValue(value: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}T${pad(value.getHours())}:${pad(value.getMinutes())}`;
}

/** An <input type="datetime-local"> value → ISO 8601 (UTC), or null when empty/invalid. */
export function fromLocalInputValue(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
