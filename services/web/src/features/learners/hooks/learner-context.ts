import { createContext, useContext } from "react";

import type { Learner } from "@/lib/api/types";

export interface LearnerContextValue {
  learners: Learner[];
  isLoading: boolean;
  error: unknown;
  /** The profile the app works with (null when the user has none yet). */
  active: Learner | null;
  setActiveId: (id: number) => void;
}

export const LearnerContext = createContext<LearnerContextValue | null>(null);

export function useActiveLearner(): LearnerContextValue {
  const value = useContext(LearnerContext);
  if (!value) throw new Error("useActiveLearner must be used inside <LearnerProvider>");
  return value;
}
