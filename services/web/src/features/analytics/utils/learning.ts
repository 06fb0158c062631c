// Mastery, review schedule and recommendations as the progress page shows them. The analytics
// result carries `mastery` and `recommendations`; older results do not, so this falls back to the
// learner's `knowledge_state.concepts` and to the knowledge gaps.
import type { AnalyticsResult, Learner, Recommendation } from "@/lib/api/types";
import { isRecord } from "@/lib/utils";

export interface MasteryRow {
  concept: string;
  p_mastery: number;
  mastered: boolean;
  attempts: number | null;
  correct: number | null;
  last_answered_at: string | null;
  next_review_at: string | null;
}

export function masteryRows(analytics: AnalyticsResult | null | undefined, learner: Learner | null | undefined): MasteryRow[] {
  if (analytics && Array.isArray(analytics.mastery)) {
    return analytics.mastery
      .map((row) => ({
        concept: row.concept,
        p_mastery: row.p_mastery,
        mastered: row.mastered,
        attempts: row.attempts,
        correct: row.correct,
        last_answered_at: row.last_answered_at,
        next_review_at: row.next_review_at,
      }))
      .sort((a, b) => a.concept.localeCompare(b.concept));
  }
  const concepts = learner?.knowledge_state.concepts;
  if (!isRecord(concepts)) return [];
  const rows: MasteryRow[] = [];
  for (const [concept, state] of Object.entries(concepts)) {
    if (!isRecord(state) || typeof state.p_mastery !== "number") continue;
    rows.push({
      concept,
      p_mastery: state.p_mastery,
      mastered: state.mastered === true,
      attempts: null,
      correct: null,
      last_answered_at: null,
      next_review_at: typeof state.next_review_at === "string" ? state.next_review_at : null,
    });
  }
  return rows.sort((a, b) => a.concept.localeCompare(b.concept));
}

export interface ReviewSchedule {
  due: MasteryRow[];
  upcoming: MasteryRow[];
}

export function reviewSchedule(rows: MasteryRow[], now: number = Date.now()): ReviewSchedule {
  const dated = rows
    .filter((row): row is MasteryRow & { next_review_at: string } => row.next_review_at !== null)
    .sort((a, b) => Date.parse(a.next_review_at) - Date.parse(b.next_review_at));
  return {
    due: dated.filter((row) => Date.parse(row.next_review_at) <= now),
    upcoming: dated.filter((row) => Date.parse(row.next_review_at) > now),
  };
}

export function recommendationsOf(analytics: AnalyticsResult | null | undefined): Recommendation[] {
  if (!analytics) return [];
  if (Array.isArray(analytics.recommendations)) {
    return [...analytics.recommendations].sort((a, b) => a.priority - b.priority);
  }
  // Older results: the serious gaps, in their priority order.
  return analytics.knowledge_gaps
    .filter((gap) => gap.severity === "high" || gap.severity === "medium")
    .map((gap, index) => ({ concept: gap.concept, reason: "knowledge_gap", priority: index + 1 }));
}

export const REASON_LABEL: Record<string, string> = {
  knowledge_gap: "Knowledge gap",
  review_due: "Due for review",
  not_mastered: "Not mastered yet",
};

export function reasonLabel(reason: string): string {
  return REASON_LABEL[reason] ?? reason.replace(/_/g, " ");
}
