import { ArrowLeft, BookOpen, Dumbbell, FileQuestion, ListChecks, RefreshCw } from "lucide-react";
import { useEffect } from "react";
import { Link, useParams } from "react-router";

import { EmptyState } from "@/components/common/EmptyState";
import { ErrorState } from "@/components/common/ErrorState";
import { PageSkeleton } from "@/components/common/PageSkeleton";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useSessionTimer } from "@/features/activity/hooks/timer-context";
import { ContentTypeBadge, SourceBadge } from "@/features/content/components/ContentBadges";
import { Markdown } from "@/features/content/components/Markdown";
import { NoticeBanner } from "@/features/content/components/NoticeBanner";
import { PracticeSet } from "@/features/content/components/PracticeSet";
import { useContent, useGenerateContent } from "@/features/content/hooks/use-content";
import { useDocumentTitle } from "@/hooks/use-document-title";
import { isApiError } from "@/lib/api/client";
import type { Content, ContentType } from "@/lib/api/types";
import { errorMessage } from "@/lib/errors";
import { formatDateTime, formatUsd } from "@/lib/format";
import { toast } from "@/lib/toast";
import { asText } from "@/lib/utils";

function NextSteps({ content }: { content: Content }) {
  const generate = useGenerateContent();
  const ask = (content_type: ContentType, fresh = false) =>
    generate.mutate(
      { learnerId: content.learner_id, input: { concept: content.concept, content_type, ...(fresh ? { fresh: true } : {}) } },
      {
        onSuccess: () =>
          toast({
            title: `Asked for a ${content_type} on ${content.concept}`,
            description: "You will be told when it is ready; follow it on Learn.",
          }),
        onError: (error) => toast({ variant: "error", title: "Could not ask for it", description: errorMessage(error) }),
      },
    );
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h2">Keep going</CardTitle>
        <CardDescription>More on {content.concept}</CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-2">
        {content.content_type !== "quiz" ? (
          <Button variant="outline" className="justify-start" disabled={generate.isPending} onClick={() => ask("quiz")}>
            <ListChecks aria-hidden="true" /> Quiz me on this
          </Button>
        ) : null}
        {content.content_type !== "exercise" ? (
          <Button variant="outline" className="justify-start" disabled={generate.isPending} onClick={() => ask("exercise")}>
            <Dumbbell aria-hidden="true" /> Give me an exercise
          </Button>
        ) : null}
        {content.content_type !== "lesson" ? (
          <Button variant="outline" className="justify-start" disabled={generate.isPending} onClick={() => ask("lesson")}>
            <BookOpen aria-hidden="true" /> Explain it in a lesson
          </Button>
        ) : null}
        <Button variant="ghost" className="justify-start" disabled={generate.isPending} onClick={() => ask(content.content_type, true)}>
          <RefreshCw aria-hidden="true" /> Write a new version
        </Button>
      </CardContent>
    </Card>
  );
}

function Details({ content }: { content: Content }) {
  const rows: [string, string][] = [
    ["Written", formatDateTime(content.created_at)],
    ["Source", content.source],
    ["Model", content.model ?? "—"],
    ["Prompt version", content.prompt_version],
    ["Tokens", `${content.usage.input_tokens ?? 0} in · ${content.usage.output_tokens ?? 0} out`],
    ["Cost", formatUsd(content.usage.cost_usd ?? 0)],
  ];
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h2">Details</CardTitle>
      </CardHeader>
      <CardContent>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
          {rows.map(([term, value]) => (
            <div key={term} className="contents">
              <dt className="text-muted-foreground">{term}</dt>
              <dd className="truncate text-right font-medium">{value}</dd>
            </div>
          ))}
        </dl>
      </CardContent>
    </Card>
  );
}

function ContentView({ content }: { content: Content }) {
  const { recordContent } = useSessionTimer();
  useEffect(() => {
    recordContent(content.learner_id, content.content_id);
  }, [recordContent, content.learner_id, content.content_id]);

  const exercises = content.exercises.length;
  const practiceFirst = content.content_type !== "lesson" && exercises > 0;

  return (
    <article className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1fr)_18rem]">
      <div className="grid grid-cols-1 min-w-0 content-start gap-5">
        <div>
          <Button asChild variant="ghost" size="sm" className="-ml-3 mb-2 text-muted-foreground">
            <Link to="/history">
              <ArrowLeft aria-hidden="true" /> History
            </Link>
          </Button>
          <div className="flex flex-wrap items-center gap-1.5">
            <ContentTypeBadge type={content.content_type} />
            <SourceBadge source={content.source} />
            <span className="text-xs text-muted-foreground">{content.concept}</span>
          </div>
          <h1 className="mt-2 text-2xl font-semibold tracking-tight sm:text-3xl">{content.title}</h1>
        </div>
        {content.notice ? <NoticeBanner notice={content.notice} source={content.source} /> : null}
        <Tabs defaultValue={practiceFirst ? "practice" : "read"}>
          <TabsList>
            <TabsTrigger value="read">
              <BookOpen aria-hidden="true" /> {content.content_type === "lesson" ? "Lesson" : "Read"}
            </TabsTrigger>
            <TabsTrigger value="practice" disabled={exercises === 0}>
              <ListChecks aria-hidden="true" /> Practice{exercises ? ` (${exercises})` : ""}
            </TabsTrigger>
          </TabsList>
          <TabsContent value="read" className="grid grid-cols-1 gap-6">
            <Card>
              <CardContent className="pt-5 sm:pt-6">
                <Markdown>{content.content}</Markdown>
              </CardContent>
            </Card>
            {content.examples.length > 0 ? (
              <section aria-labelledby="examples-heading" className="grid grid-cols-1 gap-3">
                <h2 id="examples-heading" className="text-lg font-semibold">
                  Examples
                </h2>
                <ol className="grid grid-cols-1 gap-3">
                  {content.examples.map((example, index) => (
                    <li key={index} className="flex gap-3 rounded-xl border bg-card p-4">
                      <span className="flex size-7 shrink-0 items-center justify-center rounded-full bg-primary/10 text-sm font-semibold text-primary">
                        {index + 1}
                      </span>
                      <Markdown className="min-w-0 flex-1 text-sm leading-6">{asText(example)}</Markdown>
                    </li>
                  ))}
                </ol>
              </section>
            ) : null}
          </TabsContent>
          <TabsContent value="practice">
            <PracticeSet content={content} />
          </TabsContent>
        </Tabs>
      </div>
      <aside className="grid grid-cols-1 content-start gap-4" aria-label="About this content">
        <NextSteps content={content} />
        <Details content={content} />
      </aside>
    </article>
  );
}

export default function ContentPage() {
  const { contentId } = useParams();
  const query = useContent(contentId);
  useDocumentTitle(query.data?.title ?? "Content");
  if (query.isPending) return <PageSkeleton cards={0} />;
  if (query.error) {
    if (isApiError(query.error) && (query.error.status === 404 || query.error.status === 422)) {
      return (
        <EmptyState
          icon={FileQuestion}
          title="This content does not exist"
          description="It may have been deleted with its profile, or the link is wrong."
          action={
            <Button asChild>
              <Link to="/history">Go to your history</Link>
            </Button>
          }
        />
      );
    }
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  }
  return <ContentView key={query.data.content_id} content={query.data} />;
}
