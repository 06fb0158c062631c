import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { useActiveLearner } from "@/features/learners/hooks/learner-context";
import { useCreateLearner, useUpdateLearner } from "@/features/learners/hooks/use-learners";
import type { Learner } from "@/lib/api/types";
import { formatNiche } from "@/lib/format";
import { toast } from "@/lib/toast";

import { LearnerForm } from "./LearnerForm";

/** Create a profile (and switch to it), or edit one. */
export function LearnerDialog({
  open,
  onOpenChange,
  learner,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  learner?: Learner;
}) {
  const create = useCreateLearner();
  const update = useUpdateLearner();
  const { setActiveId } = useActiveLearner();
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{learner ? "Edit learning profile" : "New learning profile"}</DialogTitle>
          <DialogDescription>
            {learner
              ? "Lessons and quizzes follow your level, style and goals."
              : "One profile per field you learn. Each keeps its own lessons, sessions and progress."}
          </DialogDescription>
        </DialogHeader>
        <LearnerForm
          initial={learner}
          submitLabel={learner ? "Save changes" : "Create profile"}
          onCancel={() => onOpenChange(false)}
          onSubmit={async (input) => {
            if (learner) {
              await update.mutateAsync({ id: learner.id, input });
              toast({ variant: "success", title: "Profile saved" });
            } else {
              const created = await create.mutateAsync(input);
              setActiveId(created.id);
              toast({ variant: "success", title: `Profile “${formatNiche(created.target_niche)}” created`, description: "It is now your active profile." });
            }
            onOpenChange(false);
          }}
        />
      </DialogContent>
    </Dialog>
  );
}
