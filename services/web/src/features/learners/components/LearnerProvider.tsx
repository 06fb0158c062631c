import { useCallback, useMemo, useState, type ReactNode } from "react";

import { useAuth } from "@/features/auth/hooks/auth-context";
import { LearnerContext, type LearnerContextValue } from "@/features/learners/hooks/learner-context";
import { useLearners } from "@/features/learners/hooks/use-learners";
import { readJson, writeJson } from "@/lib/storage";

const storageKey = (userId: number | undefined) => `ailp.activeLearner.${userId ?? "anon"}`;

/** Which learner profile is active; remembered per user on this device. */
export function LearnerProvider({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const learnersQuery = useLearners();
  const [chosen, setChosen] = useState<{ userId: number | undefined; id: number | null }>({
    userId: undefined,
    id: null,
  });

  // The choice stored for this user, unless one was made in this session.
  const stored = readJson(storageKey(user?.id));
  const preferredId = chosen.userId === user?.id && chosen.id !== null ? chosen.id : typeof stored === "number" ? stored : null;

  const learners = useMemo(() => learnersQuery.data ?? [], [learnersQuery.data]);
  const active = learners.find((learner) => learner.id === preferredId) ?? learners[0] ?? null;

  const setActiveId = useCallback(
    (id: number) => {
      setChosen({ userId: user?.id, id });
      writeJson(storageKey(user?.id), id);
    },
    [user?.id],
  );

  const value = useMemo<LearnerContextValue>(
    () => ({ learners, isLoading: learnersQuery.isPending, error: learnersQuery.error, active, setActiveId }),
    [learners, learnersQuery.isPending, learnersQuery.error, active, setActiveId],
  );
  return <LearnerContext.Provider value={value}>{children}</LearnerContext.Provider>;
}
