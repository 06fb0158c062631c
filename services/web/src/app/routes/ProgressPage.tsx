import { LineChart, Loader2, RefreshCw } from "lucide-react";
import { useState } from "react";

import { EmptyState } from "@/components/common/EmptyState";
import { ErrorState } from "@/components/common/ErrorState";
import { PageHeader } from "@/components/common/PageHeader";
import { PageSkeleton } from "@/components/common/PageSkeleton";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { GapsCard } from "@/features/analytics/components/GapsCard";
import { MasteryCard } from "@/features/analytics/components/MasteryCard";
import { RecommendationsCard } from "@/features/analytics/components/RecommendationsCard";
import { ReviewCard } from "@/features/analytics/components/ReviewCard";
import { TrendCard } from "@/features/analytics/components/TrendCard";
import { VelocityBreakdown } from "@/features/analytics/components/VelocityBreakdown";
import { VelocityCard } from "@/features/analytics/components/VelocityCard";
import { useAnalytics, useRequestAnalytics } from "@/features/analytics/hooks/use-analytics";
import { masteryRows, recommendationsOf, reviewSchedule } from "@/features/analytics/utils/learning";
import { useGenerateContent } from "@/features/content/hooks/use-content";
import { useJobTracker } from "@/features/jobs/hooks/job-tracker-context";
import { useJob } from "@/features/jobs/hooks/use-jobs";
import { isTerminal } from "@/features/jobs/utils/job-status";
import { RequireLearner } from "@/features/learners/components/RequireLearner";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { useNow } from "@/hooks/use-now";
import type { ContentType, Learner } from "@/lib/api/types";
import { errorMessage } from "@/lib/errors";
import { formatDateTime, formatNiche, formatRelative } from "@/lib/format";
import { toast } from "@/lib/toast";

const WINDOWS = [7, 30, 90, 365];

/** "Updating…" while this learner's latest analytics job runs. */
function UpdatingNotice({ learnerId }: { learnerId: number }) {
  const { jobs } = useJobTracker();
  const latest = jobs.find((job) => job.learnerId === learnerId && job.kind === "analytics");
  const { data } = useJob(latest?.id ?? null);
  const running = data !== undefined && !isTerminal(data.job.status);
  return (
    <p className="text-sm text-muted-foreground" role="status" aria-live="polite">
      {running ? (
        <span className="inline-flex items-center gap-2">
          <Loader2 className="size-4 animate-spin" aria-hidden="true" /> Updating your progress ({data.job.status})…
        </span>
      ) : null}
    </p>
  );
}

function ProgressView({ learner }: { learner: Learner }) {
  const analytics = useAnalytics(learner.id, { poll: true });
  const recompute = useRequestAnalytics(learner.id);
  const generate = useGenerateContent();
  const [days, setDays] = useState<number | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const [requested, setRequested] = useState<Set<string>>(() => new Set());
  const now = useNow(60_000);

  const result = analytics.data ?? null;
  const windowDays = days ?? result?.window_days ?? 30;

  function compute() {
    recompute.mutate(windowDays, {
      onError: (error) => toast({ variant: "error", title: "Could not update your progress", description: errorMessage(error) }),
    });
  }

  function ask(concept: string, contentType: ContentType) {
    setPending(concept);
    // mutateAsync: a second click while the first request is out must not drop the first's outcome.
    void generate
      .mutateAsync({ learnerId: learner.id, input: { concept, content_type: contentType } })
      .then(
        () => {
          setRequested((current) => new Set(current).add(concept));
          toast({ title: `Writing a ${contentType} on ${concept}`, description: "We’ll let you know when it is ready." });
        },
        (error: unknown) => toast({ variant: "error", title: "Could not ask for it", description: errorMessage(error) }),
      )
      .finally(() => setPending((current) => (current === concept ? null : current)));
  }

  const controls = (
    <>
      <div className="flex items-center gap-2">
        <Label htmlFor="progress-window" className="text-muted-foreground">
          Window
        </Label>
        <Select value={String(windowDays)} onValueChange={(value) => setDays(Number(value))}>
          <SelectTrigger id="progress-window" className="h-9 w-32">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {WINDOWS.map((value) => (
              <SelectItem key={value} value={String(value)}>
                {value} days
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </div>
      <Button variant="outline" size="sm" className="h-9" onClick={compute} disabled={recompute.isPending}>
        {recompute.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <RefreshCw aria-hidden="true" />}
        Update
      </Button>
    </>
  );

  if (analytics.isPending) return <PageSkeleton />;
  if (analytics.error) return <ErrorState error={analytics.error} onRetry={() => void analytics.refetch()} />;

  if (!result) {
    return (
      <>
        <PageHeader title="Progress" description={`Your ${formatNiche(learner.target_niche)} profile.`} actions={controls} />
        <UpdatingNotice learnerId={learner.id} />
        <EmptyState
          icon={LineChart}
          title="No progress computed yet"
          description="Take a quiz or log a study session, then compute your velocity, knowledge gaps and what to study next."
          action={
            <Button onClick={compute} disabled={recompute.isPending}>
              {recompute.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <RefreshCw aria-hidden="true" />}
              Compute my progress
            </Button>
          }
        />
      </>
    );
  }

  const rows = masteryRows(result, learner);
  const schedule = reviewSchedule(rows, now);
  const recommendations = recommendationsOf(result);

  return (
    <>
      <PageHeader
        title="Progress"
        description={
          <span title={formatDateTime(result.computed_at)}>
            {formatNiche(learner.target_niche)} · updated {formatRelative(result.computed_at)}
          </span>
        }
        actions={controls}
      />
      <UpdatingNotice learnerId={learner.id} />
      <div className="mt-2 grid grid-cols-1 gap-4 lg:grid-cols-3">
        <VelocityCard velocity={result.velocity} windowDays={result.window_days} />
        <div className="lg:col-span-2">
          <VelocityBreakdown velocity={result.velocity} />
        </div>
        <div className="lg:col-span-2">
          <RecommendationsCard items={recommendations} onGenerate={(concept) => ask(concept, "lesson")} pendingConcept={pending} requested={requested} />
        </div>
        <ReviewCard schedule={schedule} onReview={(concept) => ask(concept, "quiz")} pendingConcept={pending} />
        <div className="lg:col-span-2">
          <GapsCard gaps={result.knowledge_gaps} />
        </div>
        <TrendCard learnerId={learner.id} velocity={result.velocity} windowDays={result.window_days} />
        <div className="lg:col-span-3">
          <MasteryCard rows={rows} />
        </div>
      </div>
    </>
  );
}

export default function ProgressPage() {
  useDocumentTitle("Progress");
  return <RequireLearner>{(learner) => <ProgressView key={learner.id} learner={learner} />}</RequireLearner>;
}
