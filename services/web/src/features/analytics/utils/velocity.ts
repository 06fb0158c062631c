// The four parts of the velocity score, as the HTTP contract (docs/api.md) defines it:
// sessions_per_week·0.3 + (avg_session_duration / 60)·0.2 + avg_completion_rate·0.3 + exercises_per_session·0.2
import type { Trend, Velocity } from "@/lib/api/types";
import { formatMinutes, formatNumber, formatPercent } from "@/lib/format";

export interface VelocityPart {
  key: "sessions_per_week" | "avg_session_duration" | "avg_completion_rate" | "exercises_per_session";
  label: string;
  /** The figure as the learner reads it. */
  value: string;
  weight: number;
  /** Its share of the score (value in score units · weight). */
  contribution: number;
  hint: string;
}

export function velocityParts(velocity: Velocity): VelocityPart[] {
  return [
    {
      key: "sessions_per_week",
      label: "Sessions per week",
      value: formatNumber(velocity.sessions_per_week, 1),
      weight: 0.3,
      contribution: velocity.sessions_per_week * 0.3,
      hint: "Study a little, often.",
    },
    {
      key: "avg_session_duration",
      label: "Average session",
      value: formatMinutes(velocity.avg_session_duration),
      weight: 0.2,
      contribution: (velocity.avg_session_duration / 60) * 0.2,
      hint: "Hours per session count.",
    },
    {
      key: "avg_completion_rate",
      label: "Completion",
      value: formatPercent(velocity.avg_completion_rate),
      weight: 0.3,
      contribution: velocity.avg_completion_rate * 0.3,
      hint: "Finish what you start.",
    },
    {
      key: "exercises_per_session",
      label: "Exercises per session",
      value: formatNumber(velocity.exercises_per_session, 1),
      weight: 0.2,
      contribution: velocity.exercises_per_session * 0.2,
      hint: "Practice makes it stick.",
    },
  ];
}

export const TREND_LABEL: Record<Trend, string> = {
  improving: "Improving",
  stable: "Stable",
  declining: "Declining",
  insufficient_data: "Not enough data yet",
};

export function trendLabel(trend: string): string {
  return trend in TREND_LABEL ? TREND_LABEL[trend as Trend] : trend;
}
