import { PartyPopper, RotateCcw, Timer } from "lucide-react";
import { useCallback, useRef, useState } from "react";
import { Link } from "react-router";

import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { SessionDialog } from "@/features/activity/components/SessionDialog";
import { useSessionTimer, type TimedExercise } from "@/features/activity/hooks/timer-context";
import { usePostResponses } from "@/features/activity/hooks/use-activity";
import type { SessionDraft } from "@/features/activity/utils/sessions";
import { performanceOf } from "@/features/activity/utils/sessions";
import type { Content, Exercise } from "@/lib/api/types";

import { ExerciseCard, type ExerciseAnswer } from "./ExerciseCard";

/**
 * The questions of a quiz or exercise. Each answer is checked at once and posted as an exercise
 * response of the content's learner (which feeds mastery, gaps and the review schedule).
 */
export function PracticeSet({ content }: { content: Content }) {
  const learnerId = content.learner_id;
  const { mutateAsync: postResponses } = usePostResponses(learnerId);
  const timer = useSessionTimer();
  const [answers, setAnswers] = useState<Record<string, ExerciseAnswer>>({});
  const [round, setRound] = useState(0);
  const [logging, setLogging] = useState<SessionDraft | null>(null);
  const startedAt = useRef(new Date().toISOString());
  const answered = useRef<Record<string, TimedExercise>>({});

  const exercises = content.exercises;
  const graded = exercises.filter((exercise) => {
    const answer = answers[exercise.id];
    return answer !== undefined && answer.correct !== null;
  });
  const correctCount = graded.filter((exercise) => answers[exercise.id]?.correct === true).length;
  const finished = exercises.length > 0 && graded.length === exercises.length;

  const setAnswer = useCallback((exerciseId: string, change: (old: ExerciseAnswer | undefined) => ExerciseAnswer) => {
    setAnswers((current) => ({ ...current, [exerciseId]: change(current[exerciseId]) }));
  }, []);

  const save = useCallback(
    (exercise: Exercise, correct: boolean) => {
      const answeredAt = new Date().toISOString();
      const concept = exercise.concept.trim() || content.concept;
      setAnswer(exercise.id, (old) => ({ given: old?.given ?? "", correct, save: "saving" }));
      const item: TimedExercise = {
        content_id: content.content_id,
        exercise_id: exercise.id,
        concept,
        correct,
        answered_at: answeredAt,
      };
      answered.current[exercise.id] = item;
      // mutateAsync, not mutate(…, callbacks): a later mutate() would drop this call's callbacks,
      // leaving an answer given while an earlier one was still posting "saving" for ever.
      postResponses([{ concept, correct, answered_at: answeredAt, content_id: content.content_id }]).then(
        () => {
          setAnswer(exercise.id, (old) => ({ given: old?.given ?? "", correct, save: "saved" }));
          timer.recordExercise(learnerId, item);
        },
        () => setAnswer(exercise.id, (old) => ({ given: old?.given ?? "", correct, save: "error" })),
      );
    },
    [content.concept, content.content_id, learnerId, postResponses, setAnswer, timer],
  );

  function restart() {
    setAnswers({});
    answered.current = {};
    startedAt.current = new Date().toISOString();
    setRound((value) => value + 1);
  }

  function logSession() {
    const items = Object.values(answered.current);
    setLogging({
      session_start: startedAt.current,
      session_end: new Date().toISOString(),
      content_accessed: [content.content_id],
      exercises: items,
      completion_rate: exercises.length ? graded.length / exercises.length : null,
      performance_score: performanceOf(items),
    });
  }

  const timerRunning = timer.timer !== null && timer.timer.stoppedAt === null && timer.timer.learnerId === learnerId;

  return (
    <div className="grid grid-cols-1 gap-4">
      <div className="grid grid-cols-1 gap-2" aria-live="polite">
        <div className="flex items-center justify-between text-sm">
          <span className="font-medium">
            {graded.length} of {exercises.length} answered
          </span>
          <span className="text-muted-foreground">{correctCount} correct</span>
        </div>
        <Progress value={graded.length} max={Math.max(1, exercises.length)} aria-label="Questions answered" />
      </div>

      {exercises.map((exercise, index) => (
        <ExerciseCard
          key={`${round}-${exercise.id}`}
          exercise={exercise}
          index={index}
          total={exercises.length}
          answer={answers[exercise.id]}
          onCheck={(given, correct) => {
            setAnswer(exercise.id, () => ({ given, correct }));
            if (correct !== null) save(exercise, correct);
          }}
          onSelfAssess={(correct) => save(exercise, correct)}
          onRetrySave={() => {
            const correct = answers[exercise.id]?.correct;
            if (typeof correct === "boolean") save(exercise, correct);
          }}
        />
      ))}

      {finished ? (
        <Card className="border-primary/40 bg-primary/5" data-testid="practice-summary">
          <CardHeader>
            <CardTitle className="flex items-center gap-2" as="h3">
              <PartyPopper className="size-5 text-primary" aria-hidden="true" />
              You got {correctCount} of {exercises.length} right
            </CardTitle>
            <CardDescription>
              {correctCount === exercises.length
                ? "Perfect. This concept will come back for review later, so it sticks."
                : "Your answers are saved; the concepts you missed show up on your progress page."}
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-wrap gap-2">
            {timerRunning ? (
              <Button asChild>
                <Link to="/sessions">
                  <Timer aria-hidden="true" /> Timer running — stop it to log
                </Link>
              </Button>
            ) : (
              <Button onClick={logSession}>
                <Timer aria-hidden="true" /> Log as a study session
              </Button>
            )}
            <Button variant="outline" onClick={restart}>
              <RotateCcw aria-hidden="true" /> Practice again
            </Button>
            <Button asChild variant="ghost">
              <Link to="/progress">See my progress</Link>
            </Button>
          </CardContent>
        </Card>
      ) : null}

      <SessionDialog learnerId={learnerId} draft={logging} onClose={() => setLogging(null)} />
    </div>
  );
}
