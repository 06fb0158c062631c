import { Loader2, X } from "lucide-react";

import { Button } from "@/components/ui/button";
import { useCancelJob } from "@/features/jobs/hooks/use-jobs";
import { isApiError } from "@/lib/api/client";
import { errorMessage } from "@/lib/errors";
import { toast } from "@/lib/toast";

/** Cancel a queued job; a 409 means a worker took it meanwhile, which is said plainly. */
export function CancelJobButton({ jobId, onCanceled }: { jobId: string; onCanceled?: () => void }) {
  const cancel = useCancelJob();
  return (
    <Button
      variant="outline"
      size="sm"
      disabled={cancel.isPending}
      onClick={() =>
        cancel.mutate(jobId, {
          onSuccess: onCanceled,
          onError: (error) =>
            toast({
              variant: "error",
              title: "Could not cancel",
              description: isApiError(error) && error.status === 409 ? "It has already started, so it will finish." : errorMessage(error),
            }),
        })
      }
    >
      {cancel.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <X aria-hidden="true" />}
      Cancel
    </Button>
  );
}
