import { Compass, Loader2, Sparkles } from "lucide-react";

import { EmptyState } from "@/components/common/EmptyState";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { reasonLabel } from "@/features/analytics/utils/learning";
import type { Recommendation } from "@/lib/api/types";

const REASON_VARIANT: Record<string, "destructive" | "warning" | "secondary"> = {
  knowledge_gap: "destructive",
  review_due: "warning",
  not_mastered: "secondary",
};

/** The concepts to study next, best first, each one click away from a lesson. */
export function RecommendationsCard({
  items,
  onGenerate,
  pendingConcept,
  requested,
}: {
  items: Recommendation[];
  onGenerate: (concept: string) => void;
  pendingConcept: string | null;
  requested: Set<string>;
}) {
  return (
    <Card data-testid="recommendations-card">
      <CardHeader>
        <CardTitle as="h2">Recommended next</CardTitle>
        <CardDescription>Your gaps first, then reviews, then what is not mastered yet.</CardDescription>
      </CardHeader>
      <CardContent>
        {items.length === 0 ? (
          <EmptyState icon={Compass} title="No recommendations yet" description="Answer a quiz or two; recommendations follow from your answers." className="py-6" />
        ) : (
          <ol className="grid grid-cols-1 gap-2" aria-label="Recommended concepts">
            {items.slice(0, 6).map((item) => {
              const pending = pendingConcept === item.concept;
              const done = requested.has(item.concept);
              return (
                <li key={item.concept} className="flex items-center justify-between gap-2 rounded-lg border p-3">
                  <div className="grid grid-cols-1 min-w-0 gap-1">
                    <span className="truncate text-sm font-medium">{item.concept}</span>
                    <Badge variant={REASON_VARIANT[item.reason] ?? "secondary"}>{reasonLabel(item.reason)}</Badge>
                  </div>
                  <Button
                    size="sm"
                    variant={done ? "ghost" : "default"}
                    disabled={pending || done}
                    onClick={() => onGenerate(item.concept)}
                    aria-label={done ? `Lesson on ${item.concept} requested` : `Generate a lesson for ${item.concept}`}
                  >
                    {pending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <Sparkles aria-hidden="true" />}
                    {done ? "Requested" : "Lesson"}
                  </Button>
                </li>
              );
            })}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}
