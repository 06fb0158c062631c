import { Ban, CheckCircle2, CircleDashed, Loader2, XCircle } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import type { JobStatus } from "@/lib/api/types";
import { STATUS_LABEL } from "@/lib/format";

const VARIANT = {
  queued: "secondary",
  running: "default",
  succeeded: "success",
  failed: "destructive",
  canceled: "outline",
} as const;

const ICON = { queued: CircleDashed, running: Loader2, succeeded: CheckCircle2, failed: XCircle, canceled: Ban };

export function JobStatusBadge({ status }: { status: JobStatus }) {
  const Icon = ICON[status];
  return (
    <Badge variant={VARIANT[status]}>
      <Icon className={status === "running" ? "animate-spin" : undefined} aria-hidden="true" />
      {STATUS_LABEL[status]}
    </Badge>
  );
}
