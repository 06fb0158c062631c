import { ChevronRight } from "lucide-react";
import { Link } from "react-router";

import type { Content } from "@/lib/api/types";
import { formatRelative } from "@/lib/format";

import { ContentTypeBadge, SourceBadge } from "./ContentBadges";

export function ContentListItem({ content }: { content: Content }) {
  const exercises = content.exercises.length;
  return (
    <li>
      <Link
        to={`/content/${content.content_id}`}
        className="group flex items-center gap-3 rounded-xl border bg-card p-4 shadow-xs transition-colors hover:border-primary/40 hover:bg-accent/40"
      >
        <div className="grid grid-cols-1 min-w-0 flex-1 gap-1.5">
          <div className="flex flex-wrap items-center gap-1.5">
            <ContentTypeBadge type={content.content_type} />
            <SourceBadge source={content.source} />
          </div>
          <p className="line-clamp-2 font-semibold break-words group-hover:text-primary">{content.title}</p>
          <p className="truncate text-xs text-muted-foreground">
            {content.concept}
            {exercises ? ` · ${exercises} ${exercises === 1 ? "question" : "questions"}` : ""} · {formatRelative(content.created_at)}
          </p>
        </div>
        <ChevronRight className="size-5 shrink-0 text-muted-foreground" aria-hidden="true" />
      </Link>
    </li>
  );
}
