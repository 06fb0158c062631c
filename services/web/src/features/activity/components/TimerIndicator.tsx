import { Timer } from "lucide-react";
import { Link } from "react-router";

import { useSessionTimer } from "@/features/activity/hooks/timer-context";
import { elapsedMs } from "@/features/activity/utils/sessions";
import { useNow } from "@/hooks/use-now";
import { formatClock } from "@/lib/format";

/** A running study timer, visible from every page. */
export function TimerIndicator() {
  const { timer } = useSessionTimer();
  const running = timer !== null && timer.stoppedAt === null;
  const now = useNow(1000, running);
  if (!timer) return null;
  const elapsed = elapsedMs(timer, now);
  return (
    <Link
      to="/sessions"
      className="flex items-center gap-1.5 rounded-full bg-primary/10 px-2.5 py-1 text-xs font-semibold text-primary tabular-nums hover:bg-primary/15"
      aria-label={running ? `Study timer running: ${formatClock(elapsed)}. Open sessions` : "Study timer stopped: log your session"}
    >
      <Timer className="size-3.5" aria-hidden="true" />
      {running ? formatClock(elapsed) : "Log it"}
    </Link>
  );
}
