import { Check, X } from "lucide-react";

import type { JobStatus } from "@/lib/api/types";
import { cn } from "@/lib/utils";

const STEPS = ["Queued", "Running", "Done"] as const;

function stepIndex(status: JobStatus): number {
  if (status === "queued") return 0;
  if (status === "running") return 1;
  return 2;
}

/** queued → running → done, as three steps. */
export function JobSteps({ status }: { status: JobStatus }) {
  const current = stepIndex(status);
  const failed = status === "failed" || status === "canceled";
  const lastLabel = status === "failed" ? "Failed" : status === "canceled" ? "Canceled" : "Done";
  return (
    <ol className="flex items-center gap-2 text-xs font-medium" aria-label="Progress">
      {STEPS.map((step, index) => {
        const label = index === 2 ? lastLabel : step;
        const done = index < current || (index === current && status === "succeeded");
        const active = index === current && !done;
        const bad = index === 2 && failed;
        return (
          <li key={step} className="flex flex-1 items-center gap-2" aria-current={index === current ? "step" : undefined}>
            <span
              className={cn(
                "flex size-6 shrink-0 items-center justify-center rounded-full border text-[11px]",
                done && "border-success bg-success text-success-foreground",
                active && !bad && "border-primary bg-primary/10 text-primary",
                bad && "border-destructive bg-destructive text-destructive-foreground",
                !done && !active && !bad && "text-muted-foreground",
              )}
            >
              {done ? <Check className="size-3.5" aria-hidden="true" /> : bad ? <X className="size-3.5" aria-hidden="true" /> : index + 1}
            </span>
            <span className={cn("truncate", index === current ? "text-foreground" : "text-muted-foreground")}>{label}</span>
            {index < STEPS.length - 1 ? (
              <span className={cn("h-px flex-1", index < current ? "bg-success" : "bg-border")} aria-hidden="true" />
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
