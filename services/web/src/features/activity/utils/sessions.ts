// Turning what the learner did (a timer, a finished quiz) into a session to log.
import type { SessionTimer, TimedExercise } from "@/features/activity/hooks/timer-context";
import type { ExerciseCompleted, SessionInput } from "@/lib/api/types";

/** What the session form starts from. */
export interface SessionDraft {
  session_start: string;
  session_end: string | null;
  content_accessed: string[];
  /** Answers given in the app: already stored as responses. */
  exercises: TimedExercise[];
  completion_rate: number | null;
  performance_score: number | null;
}

export function performanceOf(exercises: TimedExercise[]): number | null {
  if (exercises.length === 0) return null;
  return exercises.filter((item) => item.correct).length / exercises.length;
}

/** How long the timer ran: up to its stop, or up to `now` (ms since the epoch) while it runs. */
export function elapsedMs(timer: SessionTimer, now: number): number {
  return (timer.stoppedAt ? Date.parse(timer.stoppedAt) : now) - Date.parse(timer.startedAt);
}

export function draftFromTimer(timer: SessionTimer, now: Date = new Date()): SessionDraft {
  return {
    session_start: timer.startedAt,
    session_end: timer.stoppedAt ?? now.toISOString(),
    content_accessed: timer.contentAccessed,
    exercises: timer.exercises,
    completion_rate: null,
    performance_score: performanceOf(timer.exercises),
  };
}

export function emptyDraft(now: Date = new Date()): SessionDraft {
  return {
    session_start: new Date(now.getTime() - 30 * 60_000).toISOString(),
    session_end: now.toISOString(),
    content_accessed: [],
    exercises: [],
    completion_rate: null,
    performance_score: null,
  };
}

/** An exercise done outside the app, typed in the form: stored as a response by the server. */
export interface ManualExercise {
  concept: string;
  correct: boolean;
}

/**
 * In-app answers go as `{content_id, exercise_id, outcome}` — without `concept`/`correct`, so that
 * the server does not store them a second time as responses. Manual ones carry both, so it does.
 */
export function exercisesCompleted(inApp: TimedExercise[], manual: ManualExercise[]): ExerciseCompleted[] {
  return [
    ...inApp.map((item) => ({
      content_id: item.content_id,
      exercise_id: item.exercise_id,
      outcome: item.correct ? "correct" : "incorrect",
    })),
    ...manual
      .filter((item) => item.concept.trim())
      .map((item) => ({ concept: item.concept.trim(), correct: item.correct })),
  ];
}

export interface SessionFormValues {
  session_start: string | null;
  session_end: string | null;
  duration_minutes: string;
  completion_rate: string;
  performance_score: string;
}

function percentToFraction(text: string): number | null {
  if (!text.trim()) return null;
  return Number(text) / 100;
}

export function buildSessionInput(
  values: SessionFormValues,
  draft: Pick<SessionDraft, "content_accessed" | "exercises">,
  manual: ManualExercise[],
): SessionInput {
  const input: SessionInput = {
    session_start: values.session_start ?? "",
    session_end: values.session_end,
    content_accessed: draft.content_accessed,
    exercises_completed: exercisesCompleted(draft.exercises, manual),
    completion_rate: percentToFraction(values.completion_rate),
    performance_score: percentToFraction(values.performance_score),
  };
  if (values.duration_minutes.trim()) input.duration_minutes = Number(values.duration_minutes);
  return input;
}
