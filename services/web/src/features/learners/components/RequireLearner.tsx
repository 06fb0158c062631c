import { Sparkles } from "lucide-react";
import type { ReactNode } from "react";

import { ErrorState } from "@/components/common/ErrorState";
import { PageSkeleton } from "@/components/common/PageSkeleton";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useActiveLearner } from "@/features/learners/hooks/learner-context";
import { useCreateLearner } from "@/features/learners/hooks/use-learners";
import type { Learner } from "@/lib/api/types";
import { toast } from "@/lib/toast";

import { LearnerForm } from "./LearnerForm";

/** Pages that work on a profile: show a skeleton while loading, onboarding when there is none. */
export function RequireLearner({ children }: { children: (learner: Learner) => ReactNode }) {
  const { active, isLoading, error, setActiveId } = useActiveLearner();
  const create = useCreateLearner();
  if (isLoading) return <PageSkeleton />;
  if (error) return <ErrorState error={error} title="Could not load your learning profiles" onRetry={() => window.location.reload()} />;
  if (active) return <>{children(active)}</>;
  return (
    <div className="mx-auto max-w-xl">
      <Card>
        <CardHeader>
          <div className="mb-2 flex size-11 items-center justify-center rounded-full bg-primary/10 text-primary">
            <Sparkles className="size-5" aria-hidden="true" />
          </div>
          <CardTitle as="h1" className="text-xl">
            Create your learning profile
          </CardTitle>
          <CardDescription>
            Tell us what you are learning and how you like to learn. Every lesson, quiz and exercise is written for this
            profile. You can add more profiles later, one per field.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <LearnerForm
            submitLabel="Create profile"
            onSubmit={async (input) => {
              const learner = await create.mutateAsync(input);
              setActiveId(learner.id);
              toast({ variant: "success", title: "Profile created", description: "Ask for your first lesson." });
            }}
          />
        </CardContent>
      </Card>
    </div>
  );
}
