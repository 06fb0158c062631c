import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";

import { SessionTimerContext, type SessionTimer, type SessionTimerValue, type TimedExercise } from "@/features/activity/hooks/timer-context";
import { useAuth } from "@/features/auth/hooks/auth-context";
import { readJson, writeJson } from "@/lib/storage";
import { isRecord } from "@/lib/utils";

const storageKey = (userId: number) => `ailp.timer.${userId}`;

function loadTimer(userId: number | undefined): SessionTimer | null {
  if (userId === undefined) return null;
  const raw = readJson(storageKey(userId));
  if (!isRecord(raw) || typeof raw.learnerId !== "number" || typeof raw.startedAt !== "string") return null;
  return {
    learnerId: raw.learnerId,
    startedAt: raw.startedAt,
    stoppedAt: typeof raw.stoppedAt === "string" ? raw.stoppedAt : null,
    contentAccessed: Array.isArray(raw.contentAccessed) ? raw.contentAccessed.filter((x): x is string => typeof x === "string") : [],
    exercises: Array.isArray(raw.exercises) ? raw.exercises.filter((x): x is TimedExercise => isRecord(x) && typeof x.exercise_id === "string") : [],
  };
}

/** The study-session timer: survives reloads (localStorage, per user). */
export function SessionTimerProvider({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const userId = user?.id;
  const [state, setState] = useState<{ userId: number | undefined; timer: SessionTimer | null }>(() => ({
    userId,
    timer: loadTimer(userId),
  }));
  if (state.userId !== userId) {
    setState({ userId, timer: loadTimer(userId) });
  }
  const timer = state.timer;

  useEffect(() => {
    if (userId !== undefined) writeJson(storageKey(userId), timer);
  }, [timer, userId]);

  const update = useCallback((change: (timer: SessionTimer | null) => SessionTimer | null) => {
    setState((current) => ({ ...current, timer: change(current.timer) }));
  }, []);

  const start = useCallback(
    (learnerId: number) =>
      update(() => ({ learnerId, startedAt: new Date().toISOString(), stoppedAt: null, contentAccessed: [], exercises: [] })),
    [update],
  );
  const stop = useCallback(
    () => update((t) => (t && !t.stoppedAt ? { ...t, stoppedAt: new Date().toISOString() } : t)),
    [update],
  );
  const resume = useCallback(() => update((t) => (t ? { ...t, stoppedAt: null } : t)), [update]);
  const discard = useCallback(() => update(() => null), [update]);
  const recordContent = useCallback(
    (learnerId: number, contentId: string) =>
      update((t) =>
        t && !t.stoppedAt && t.learnerId === learnerId && !t.contentAccessed.includes(contentId)
          ? { ...t, contentAccessed: [...t.contentAccessed, contentId] }
          : t,
      ),
    [update],
  );
  const recordExercise = useCallback(
    (learnerId: number, exercise: TimedExercise) =>
      update((t) =>
        t && !t.stoppedAt && t.learnerId === learnerId
          ? {
              ...t,
              contentAccessed: t.contentAccessed.includes(exercise.content_id)
                ? t.contentAccessed
                : [...t.contentAccessed, exercise.content_id],
              exercises: [...t.exercises, exercise],
            }
          : t,
      ),
    [update],
  );

  const value = useMemo<SessionTimerValue>(
    () => ({ timer, start, stop, resume, discard, recordContent, recordExercise }),
    [timer, start, stop, resume, discard, recordContent, recordExercise],
  );
  return <SessionTimerContext.Provider value={value}>{children}</SessionTimerContext.Provider>;
}
