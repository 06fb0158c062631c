import { CloudOff, Recycle } from "lucide-react";

import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import type { ContentSource } from "@/lib/api/types";

/** Why this piece was not written by the AI just now (AI unavailable, reused content). */
export function NoticeBanner({ notice, source }: { notice: string; source: ContentSource }) {
  const offline = source === "fallback";
  return (
    <Alert variant="warning" role="note" data-testid="content-notice">
      {offline ? <CloudOff aria-hidden="true" /> : <Recycle aria-hidden="true" />}
      <AlertTitle>{offline ? "AI generation was unavailable" : "Reused content"}</AlertTitle>
      <AlertDescription className="text-foreground/80">{notice}</AlertDescription>
    </Alert>
  );
}
