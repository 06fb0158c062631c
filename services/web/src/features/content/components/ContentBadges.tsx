import { Bot, CloudOff, Recycle } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import type { ContentSource, ContentType } from "@/lib/api/types";
import { CONTENT_TYPE_LABEL, SOURCE_LABEL } from "@/lib/format";

export function ContentTypeBadge({ type }: { type: ContentType }) {
  return <Badge variant="default">{CONTENT_TYPE_LABEL[type]}</Badge>;
}

const SOURCE_ICON = { openai: Bot, cache: Recycle, fallback: CloudOff };
const SOURCE_VARIANT = { openai: "secondary", cache: "secondary", fallback: "warning" } as const;

export function SourceBadge({ source }: { source: ContentSource }) {
  const Icon = SOURCE_ICON[source];
  return (
    <Badge variant={SOURCE_VARIANT[source]} title={source}>
      <Icon aria-hidden="true" />
      {SOURCE_LABEL[source]}
    </Badge>
  );
}
