import { createContext, useContext } from "react";

import type { GenerateContentInput, Job, JobKind } from "@/lib/api/types";

/** A job this browser started and follows until it finishes. */
export interface TrackedJob {
  id: string;
  kind: JobKind;
  learnerId: number;
  /** "Lesson · SQL joins", "Progress update". */
  label: string;
  /** What was asked (content jobs), to offer "Try again". */
  request?: GenerateContentInput;
  createdAt: string;
  /** Set once its completion was announced. */
  notified: boolean;
}

export interface JobTrackerValue {
  jobs: TrackedJob[];
  track: (job: Job, meta: { label: string; request?: GenerateContentInput }) => void;
  dismiss: (id: string) => void;
}

export const JobTrackerContext = createContext<JobTrackerValue | null>(null);

export function useJobTracker(): JobTrackerValue {
  const value = useContext(JobTrackerContext);
  if (!value) throw new Error("useJobTracker must be used inside <JobTrackerProvider>");
  return value;
}
