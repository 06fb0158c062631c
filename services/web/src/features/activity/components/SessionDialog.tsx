import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { useCreateSession } from "@/features/activity/hooks/use-activity";
import type { SessionDraft } from "@/features/activity/utils/sessions";
import { formatMinutes } from "@/lib/format";
import { toast } from "@/lib/toast";

import { SessionForm } from "./SessionForm";

/** Log a study session from a draft (the timer, a finished quiz, or an empty one). */
export function SessionDialog({
  learnerId,
  draft,
  onClose,
  onSaved,
}: {
  learnerId: number;
  draft: SessionDraft | null;
  onClose: () => void;
  onSaved?: () => void;
}) {
  const create = useCreateSession(learnerId);
  return (
    <Dialog open={draft !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Log a study session</DialogTitle>
          <DialogDescription>Sessions feed your learning velocity. Adjust anything before saving.</DialogDescription>
        </DialogHeader>
        {draft ? (
          <SessionForm
            draft={draft}
            onCancel={onClose}
            onSubmit={async (input) => {
              const session = await create.mutateAsync(input);
              toast({
                variant: "success",
                title: "Session logged",
                description:
                  session.duration_minutes !== null
                    ? `${formatMinutes(session.duration_minutes)} of study recorded. Your progress updates shortly.`
                    : "Your progress updates shortly.",
              });
              onSaved?.();
              onClose();
            }}
          />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
