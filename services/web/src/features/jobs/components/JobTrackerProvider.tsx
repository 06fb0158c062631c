import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useLocation, useNavigate } from "react-router";

import { useAuth } from "@/features/auth/hooks/auth-context";
import { JobTrackerContext, type JobTrackerValue, type TrackedJob } from "@/features/jobs/hooks/job-tracker-context";
import { useJob } from "@/features/jobs/hooks/use-jobs";
import { contentIdOf, isTerminal } from "@/features/jobs/utils/job-status";
import type { Job } from "@/lib/api/types";
import { queryKeys } from "@/lib/query-keys";
import { readJson, writeJson } from "@/lib/storage";
import { toast } from "@/lib/toast";
import { isRecord } from "@/lib/utils";

const MAX_TRACKED = 20;
const storageKey = (userId: number) => `ailp.jobs.${userId}`;

function loadTracked(userId: number | undefined): TrackedJob[] {
  if (userId === undefined) return [];
  const raw = readJson(storageKey(userId), "session");
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (item): item is TrackedJob =>
      isRecord(item) && typeof item.id === "string" && typeof item.learnerId === "number" && typeof item.label === "string",
  );
}

/**
 * Follows every job started in this tab (kept in sessionStorage, so a reload keeps following):
 * polls it until it finishes, then announces it with a toast and refreshes what it changed.
 */
export function JobTrackerProvider({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const userId = user?.id;
  const [state, setState] = useState<{ userId: number | undefined; jobs: TrackedJob[] }>(() => ({
    userId,
    jobs: loadTracked(userId),
  }));
  // A different user signed in: load their list (state derived from props, React's way).
  if (state.userId !== userId) {
    setState({ userId, jobs: loadTracked(userId) });
  }
  const jobs = state.jobs;

  useEffect(() => {
    if (userId !== undefined) writeJson(storageKey(userId), jobs, "session");
  }, [jobs, userId]);

  const track = useCallback((job: Job, meta: { label: string; request?: TrackedJob["request"] }) => {
    setState((current) => ({
      ...current,
      jobs: [
        {
          id: job.id,
          kind: job.kind,
          learnerId: job.learner_id,
          label: meta.label,
          request: meta.request,
          createdAt: job.created_at,
          notified: isTerminal(job.status),
        },
        ...current.jobs.filter((item) => item.id !== job.id),
      ].slice(0, MAX_TRACKED),
    }));
  }, []);

  const dismiss = useCallback((id: string) => {
    setState((current) => ({ ...current, jobs: current.jobs.filter((item) => item.id !== id) }));
  }, []);

  const markNotified = useCallback((id: string) => {
    setState((current) => ({
      ...current,
      jobs: current.jobs.map((item) => (item.id === id ? { ...item, notified: true } : item)),
    }));
  }, []);

  const value = useMemo<JobTrackerValue>(() => ({ jobs, track, dismiss }), [jobs, track, dismiss]);

  return (
    <JobTrackerContext.Provider value={value}>
      {children}
      {jobs
        .filter((item) => !item.notified)
        .map((item) => (
          <JobWatcher key={item.id} tracked={item} onNotified={markNotified} />
        ))}
    </JobTrackerContext.Provider>
  );
}

/** Whether the job's progress card is on screen (then the card itself shows the outcome). */
function cardOnScreen(id: string): boolean {
  if (document.visibilityState !== "visible") return false;
  const card = document.querySelector(`[data-job-id="${CSS.escape(id)}"]`);
  if (!card) return false;
  const rect = card.getBoundingClientRect();
  return rect.bottom > 0 && rect.top < window.innerHeight && rect.height > 0;
}

/** Polls one job; when it finishes: toast (unless its card is in view), refresh, mark it announced. */
function JobWatcher({ tracked, onNotified }: { tracked: TrackedJob; onNotified: (id: string) => void }) {
  const { data, error } = useJob(tracked.id);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const announced = useRef(false);
  const job = data?.job;

  useEffect(() => {
    if (announced.current) return;
    if (error) {
      announced.current = true;
      onNotified(tracked.id);
      return;
    }
    if (!job || !isTerminal(job.status)) return;
    announced.current = true;
    onNotified(tracked.id);
    void queryClient.invalidateQueries({ queryKey: queryKeys.allJobs });
    if (job.kind === "content") {
      void queryClient.invalidateQueries({ queryKey: queryKeys.contentLists(job.learner_id) });
    } else {
      // The job rewrote the learner's metrics and its result. Exact: the learners key prefixes
      // every learner-scoped list (content, sessions) and the analytics query just invalidated.
      void queryClient.invalidateQueries({ queryKey: queryKeys.analytics(job.learner_id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.learners, exact: true });
    }
    // Seen already: its card is on screen, or the progress page updates in front of the user.
    if (cardOnScreen(job.id) || (job.kind === "analytics" && job.status === "succeeded" && pathname === "/progress")) return;
    if (job.status === "succeeded") {
      const contentId = contentIdOf(job);
      toast({
        variant: "success",
        title: job.kind === "content" ? `${tracked.label} is ready` : "Your progress is up to date",
        description:
          job.kind === "content" && job.result && typeof job.result.title === "string" ? job.result.title : undefined,
        action: contentId
          ? { label: "Open", onClick: () => void navigate(`/content/${contentId}`) }
          : job.kind === "analytics"
            ? { label: "View progress", onClick: () => void navigate("/progress") }
            : undefined,
      });
    } else if (job.status === "failed") {
      toast({
        variant: "error",
        title: `${tracked.label} failed`,
        description: job.error?.message ?? "The job did not finish. Try again.",
      });
    } else {
      toast({ title: `${tracked.label} was canceled` });
    }
  }, [job, error, tracked, onNotified, queryClient, navigate, pathname]);

  return null;
}
