import { Check, Pencil, Plus, Trash2, UserRound } from "lucide-react";
import { useState } from "react";

import { EmptyState } from "@/components/common/EmptyState";
import { ErrorState } from "@/components/common/ErrorState";
import { PageHeader } from "@/components/common/PageHeader";
import { PageSkeleton } from "@/components/common/PageSkeleton";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { LearnerDialog } from "@/features/learners/components/LearnerDialog";
import { useActiveLearner } from "@/features/learners/hooks/learner-context";
import { useDeleteLearner } from "@/features/learners/hooks/use-learners";
import { useDocumentTitle } from "@/hooks/use-document-title";
import type { Learner } from "@/lib/api/types";
import { errorMessage } from "@/lib/errors";
import { EXPERIENCE_LABEL, formatDate, formatNiche, STYLE_LABEL } from "@/lib/format";
import { toast } from "@/lib/toast";

function ProfileCard({ learner, active, onEdit }: { learner: Learner; active: boolean; onEdit: () => void }) {
  const { setActiveId } = useActiveLearner();
  const remove = useDeleteLearner();
  const name = formatNiche(learner.target_niche);
  return (
    <Card className={active ? "border-primary ring-1 ring-primary" : undefined} data-testid="profile-card">
      <CardHeader>
        <div className="flex items-start justify-between gap-2">
          <CardTitle as="h2" className="text-lg">
            {name}
          </CardTitle>
          {active ? (
            <Badge>
              <Check aria-hidden="true" /> Active
            </Badge>
          ) : null}
        </div>
        <CardDescription>
          {EXPERIENCE_LABEL[learner.experience_level]} · {STYLE_LABEL[learner.preferred_learning_style]} · since {formatDate(learner.created_at)}
        </CardDescription>
      </CardHeader>
      <CardContent>
        <p className="line-clamp-3 text-sm text-muted-foreground">{learner.learning_goals ?? "No goals written yet."}</p>
      </CardContent>
      <CardFooter className="flex-wrap">
        {!active ? (
          <Button size="sm" onClick={() => setActiveId(learner.id)}>
            Switch to it
          </Button>
        ) : null}
        <Button size="sm" variant="outline" onClick={onEdit}>
          <Pencil aria-hidden="true" /> Edit
        </Button>
        <AlertDialog>
          <AlertDialogTrigger asChild>
            <Button size="sm" variant="ghost" className="text-destructive hover:text-destructive">
              <Trash2 aria-hidden="true" /> Delete
            </Button>
          </AlertDialogTrigger>
          <AlertDialogContent>
            <AlertDialogHeader>
              <AlertDialogTitle>Delete the {name} profile?</AlertDialogTitle>
              <AlertDialogDescription>
                Its lessons, sessions, answers and progress are deleted with it. This cannot be undone.
              </AlertDialogDescription>
            </AlertDialogHeader>
            <AlertDialogFooter>
              <AlertDialogCancel>Keep it</AlertDialogCancel>
              <AlertDialogAction
                variant="destructive"
                onClick={() =>
                  remove.mutate(learner.id, {
                    onSuccess: () => toast({ title: `Profile ${name} deleted` }),
                    onError: (error) => toast({ variant: "error", title: "Could not delete it", description: errorMessage(error) }),
                  })
                }
              >
                Delete profile
              </AlertDialogAction>
            </AlertDialogFooter>
          </AlertDialogContent>
        </AlertDialog>
      </CardFooter>
    </Card>
  );
}

export default function ProfilesPage() {
  useDocumentTitle("Learning profiles");
  const { learners, active, isLoading, error } = useActiveLearner();
  const [editing, setEditing] = useState<Learner | null>(null);
  const [creating, setCreating] = useState(false);

  const header = (
    <PageHeader
      title="Learning profiles"
      description="One profile per field you learn; each has its own lessons, sessions and progress."
      actions={
        <Button onClick={() => setCreating(true)}>
          <Plus aria-hidden="true" /> New profile
        </Button>
      }
    />
  );
  if (isLoading) return <PageSkeleton />;
  if (error) return <ErrorState error={error} onRetry={() => window.location.reload()} />;
  return (
    <>
      {header}
      {learners.length === 0 ? (
        <EmptyState
          icon={UserRound}
          title="No profiles yet"
          description="Create a profile to get lessons written for you."
          action={<Button onClick={() => setCreating(true)}>Create a profile</Button>}
        />
      ) : (
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2 lg:grid-cols-3">
          {learners.map((learner) => (
            <ProfileCard key={learner.id} learner={learner} active={learner.id === active?.id} onEdit={() => setEditing(learner)} />
          ))}
        </div>
      )}
      <LearnerDialog open={creating} onOpenChange={setCreating} />
      <LearnerDialog key={editing?.id ?? "none"} open={editing !== null} onOpenChange={(open) => (open ? undefined : setEditing(null))} learner={editing ?? undefined} />
    </>
  );
}
