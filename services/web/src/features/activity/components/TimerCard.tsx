import { Pause, Play, Square, Trash2 } from "lucide-react";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useSessionTimer } from "@/features/activity/hooks/timer-context";
import { draftFromTimer, elapsedMs, type SessionDraft } from "@/features/activity/utils/sessions";
import { useActiveLearner } from "@/features/learners/hooks/learner-context";
import { useNow } from "@/hooks/use-now";
import type { Learner } from "@/lib/api/types";
import { formatClock, formatNiche } from "@/lib/format";

import { SessionDialog } from "./SessionDialog";

/** Start a timer when you sit down to study, stop it when you are done, and log the session. */
export function TimerCard({ learner }: { learner: Learner }) {
  const { timer, start, stop, resume, discard } = useSessionTimer();
  const { learners, setActiveId } = useActiveLearner();
  const [draft, setDraft] = useState<SessionDraft | null>(null);
  const running = timer !== null && timer.stoppedAt === null;
  const now = useNow(1000, running);

  const otherLearner = timer && timer.learnerId !== learner.id ? learners.find((item) => item.id === timer.learnerId) : undefined;
  const elapsed = timer ? elapsedMs(timer, now) : 0;
  const timerLearnerId = timer?.learnerId ?? learner.id;

  return (
    <Card className="overflow-hidden" data-testid="timer-card">
      <CardHeader>
        <CardTitle as="h2">Study timer</CardTitle>
        <CardDescription>
          {timer
            ? `For your ${formatNiche(otherLearner?.target_niche ?? learner.target_niche)} profile. Lessons you open and answers you give are added to the session.`
            : "Start it when you sit down to study. Lessons you open and answers you give are added to the session."}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-5">
        <div
          role="timer"
          aria-label={`Elapsed ${formatClock(elapsed)}`}
          className="text-center font-mono text-5xl font-semibold tracking-tight tabular-nums sm:text-6xl"
        >
          {formatClock(elapsed)}
        </div>
        {timer ? (
          <p className="text-center text-sm text-muted-foreground" aria-live="polite">
            {timer.stoppedAt ? "Stopped. " : "Running. "}
            {timer.contentAccessed.length} opened · {timer.exercises.length} answered
          </p>
        ) : null}
        {otherLearner ? (
          <Button variant="outline" onClick={() => setActiveId(otherLearner.id)}>
            Switch to {formatNiche(otherLearner.target_niche)}
          </Button>
        ) : null}
        <div className="flex flex-wrap justify-center gap-2">
          {!timer ? (
            <Button size="lg" onClick={() => start(learner.id)}>
              <Play aria-hidden="true" /> Start timer
            </Button>
          ) : running ? (
            <Button
              size="lg"
              onClick={() => {
                stop();
                setDraft(draftFromTimer({ ...timer, stoppedAt: new Date().toISOString() }));
              }}
            >
              <Square aria-hidden="true" /> Stop and log
            </Button>
          ) : (
            <>
              <Button size="lg" onClick={() => setDraft(draftFromTimer(timer))}>
                <Square aria-hidden="true" /> Log session
              </Button>
              <Button size="lg" variant="outline" onClick={resume}>
                <Pause aria-hidden="true" /> Resume
              </Button>
            </>
          )}
          {timer ? (
            <Button size="lg" variant="ghost" onClick={discard}>
              <Trash2 aria-hidden="true" /> Discard
            </Button>
          ) : null}
        </div>
      </CardContent>
      <SessionDialog learnerId={timerLearnerId} draft={draft} onClose={() => setDraft(null)} onSaved={discard} />
    </Card>
  );
}
