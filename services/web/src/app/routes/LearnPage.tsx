import { BookOpen, Sparkles } from "lucide-react";
import { useRef } from "react";
import { Link } from "react-router";

import { EmptyState } from "@/components/common/EmptyState";
import { ErrorState } from "@/components/common/ErrorState";
import { PageHeader } from "@/components/common/PageHeader";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useAnalytics } from "@/features/analytics/hooks/use-analytics";
import { recommendationsOf } from "@/features/analytics/utils/learning";
import { ContentListItem } from "@/features/content/components/ContentListItem";
import { GenerateForm } from "@/features/content/components/GenerateForm";
import { useContentList } from "@/features/content/hooks/use-content";
import { JobProgressCard } from "@/features/jobs/components/JobProgressCard";
import { useJobTracker } from "@/features/jobs/hooks/job-tracker-context";
import { RequireLearner } from "@/features/learners/components/RequireLearner";
import { useDocumentTitle } from "@/hooks/use-document-title";
import type { Learner } from "@/lib/api/types";
import { formatNiche } from "@/lib/format";

function RecentContent({ learner }: { learner: Learner }) {
  const list = useContentList(learner.id, "all");
  if (list.isPending) {
    return (
      <div className="grid grid-cols-1 gap-3" role="status" aria-label="Loading recent content">
        <Skeleton className="h-20" />
        <Skeleton className="h-20" />
      </div>
    );
  }
  if (list.error) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  const items = list.data.pages.flatMap((page) => page.items).slice(0, 4);
  if (items.length === 0) {
    return (
      <EmptyState
        icon={BookOpen}
        title="Nothing here yet"
        description="Your lessons, quizzes and exercises will be listed here. Ask for your first one above."
      />
    );
  }
  return (
    <ul className="grid grid-cols-1 gap-3">
      {items.map((content) => (
        <ContentListItem key={content.content_id} content={content} />
      ))}
    </ul>
  );
}

function LearnView({ learner }: { learner: Learner }) {
  const { jobs } = useJobTracker();
  const analytics = useAnalytics(learner.id);
  const mine = jobs.filter((job) => job.learnerId === learner.id && job.kind === "content");
  const suggestions = recommendationsOf(analytics.data).map((item) => item.concept);
  const requestsRef = useRef<HTMLElement>(null);

  // On a phone the requests are below the form: bring the new one into view.
  function showRequests() {
    const section = requestsRef.current;
    if (!section) return;
    const top = section.getBoundingClientRect().top;
    if (top > window.innerHeight * 0.6 && typeof section.scrollIntoView === "function") {
      section.scrollIntoView({ behavior: "smooth", block: "start" });
    }
  }

  return (
    <>
      <PageHeader title="Learn" description={`What do you want to learn today? Profile: ${formatNiche(learner.target_niche)}.`} />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle className="flex items-center gap-2">
              <Sparkles className="size-4 text-primary" aria-hidden="true" /> Ask for something new
            </CardTitle>
            <CardDescription>Written for a {learner.experience_level} who likes to learn the {learner.preferred_learning_style} way.</CardDescription>
          </CardHeader>
          <CardContent>
            <GenerateForm learner={learner} suggestions={suggestions} onSubmitted={showRequests} />
          </CardContent>
        </Card>
        <section ref={requestsRef} aria-labelledby="requests-heading" className="grid grid-cols-1 scroll-mt-20 content-start gap-3">
          <h2 id="requests-heading" className="text-lg font-semibold">
            Your requests
          </h2>
          {mine.length === 0 ? (
            <EmptyState
              icon={Sparkles}
              title="No requests in progress"
              description="When you ask for something, you can follow it here: queued, being written, ready."
            />
          ) : (
            <div className="grid grid-cols-1 gap-3">
              {mine.map((job) => (
                <JobProgressCard key={job.id} tracked={job} />
              ))}
            </div>
          )}
        </section>
      </div>
      <section aria-labelledby="recent-heading" className="mt-8 grid grid-cols-1 gap-3">
        <div className="flex items-center justify-between">
          <h2 id="recent-heading" className="text-lg font-semibold">
            Continue learning
          </h2>
          <Button asChild variant="link" size="sm">
            <Link to="/history">See all</Link>
          </Button>
        </div>
        <RecentContent learner={learner} />
      </section>
    </>
  );
}

export default function LearnPage() {
  useDocumentTitle("Learn");
  return <RequireLearner>{(learner) => <LearnView key={learner.id} learner={learner} />}</RequireLearner>;
}
