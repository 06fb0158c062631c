import { createContext, useContext } from "react";

/** An exercise answered in the app while the timer ran (already posted as a response). */
export interface TimedExercise {
  content_id: string;
  exercise_id: string;
  concept: string;
  correct: boolean;
  answered_at: string;
}

export interface SessionTimer {
  learnerId: number;
  startedAt: string;
  /** Set when stopped and not yet saved or discarded. */
  stoppedAt: string | null;
  contentAccessed: string[];
  exercises: TimedExercise[];
}

export interface SessionTimerValue {
  timer: SessionTimer | null;
  start: (learnerId: number) => void;
  stop: () => void;
  resume: () => void;
  discard: () => void;
  /** Remember content opened while the timer runs for that learner. */
  recordContent: (learnerId: number, contentId: string) => void;
  /** Remember an answer given while the timer runs for that learner. */
  recordExercise: (learnerId: number, exercise: TimedExercise) => void;
}

export const SessionTimerContext = createContext<SessionTimerValue | null>(null);

export function useSessionTimer(): SessionTimerValue {
  const value = useContext(SessionTimerContext);
  if (!value) throw new Error("useSessionTimer must be used inside <SessionTimerProvider>");
  return value;
}
