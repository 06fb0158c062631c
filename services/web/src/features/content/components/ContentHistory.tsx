import { BookOpen } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";

import { EmptyState } from "@/components/common/EmptyState";
import { ErrorState } from "@/components/common/ErrorState";
import { LoadMore } from "@/components/common/LoadMore";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { ToggleGroup, ToggleGroupItem } from "@/components/ui/toggle-group";
import { useContentList } from "@/features/content/hooks/use-content";
import type { ContentType } from "@/lib/api/types";

import { ContentListItem } from "./ContentListItem";

const FILTERS: { value: ContentType | "all"; label: string }[] = [
  { value: "all", label: "All" },
  { value: "lesson", label: "Lessons" },
  { value: "quiz", label: "Quizzes" },
  { value: "exercise", label: "Exercises" },
];

export function ContentHistory({ learnerId }: { learnerId: number }) {
  const [type, setType] = useState<ContentType | "all">("all");
  const list = useContentList(learnerId, type);
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="grid grid-cols-1 gap-4">
      <ToggleGroup
        type="single"
        value={type}
        onValueChange={(value) => {
          if (value) setType(value as ContentType | "all");
        }}
        aria-label="Filter by type"
      >
        {FILTERS.map((filter) => (
          <ToggleGroupItem key={filter.value} value={filter.value}>
            {filter.label}
          </ToggleGroupItem>
        ))}
      </ToggleGroup>
      {list.isPending ? (
        <div className="grid grid-cols-1 gap-3" role="status" aria-label="Loading your content">
          {[0, 1, 2].map((index) => (
            <Skeleton key={index} className="h-20" />
          ))}
        </div>
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          icon={BookOpen}
          title={type === "all" ? "No content yet" : `No ${FILTERS.find((f) => f.value === type)?.label.toLowerCase() ?? "content"} yet`}
          description="Everything written for you is kept here, newest first."
          action={
            <Button asChild>
              <Link to="/learn">Ask for a lesson</Link>
            </Button>
          }
        />
      ) : (
        <>
          <ul className="grid grid-cols-1 gap-3 md:grid-cols-2" aria-label="Your content">
            {items.map((content) => (
              <ContentListItem key={content.content_id} content={content} />
            ))}
          </ul>
          <LoadMore
            hasNextPage={list.hasNextPage}
            isFetchingNextPage={list.isFetchingNextPage}
            onLoadMore={() => void list.fetchNextPage()}
          />
        </>
      )}
    </div>
  );
}
