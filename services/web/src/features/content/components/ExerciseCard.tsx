import { CheckCircle2, Loader2, RotateCw, XCircle } from "lucide-react";
import { RadioGroup as RadioGroupPrimitive } from "radix-ui";
import { useId, useState } from "react";

import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Textarea } from "@/components/ui/textarea";
import { isChoiceCorrect, isFreeTextMatch } from "@/features/content/utils/answers";
import type { Exercise } from "@/lib/api/types";
import { cn } from "@/lib/utils";

export type SaveState = "saving" | "saved" | "error";

export interface ExerciseAnswer {
  given: string;
  /** null while a free-text answer waits for the learner's own verdict. */
  correct: boolean | null;
  save?: SaveState;
}

interface ExerciseCardProps {
  exercise: Exercise;
  index: number;
  total: number;
  answer: ExerciseAnswer | undefined;
  onCheck: (given: string, correct: boolean | null) => void;
  onSelfAssess: (correct: boolean) => void;
  onRetrySave: () => void;
}

function SaveStatus({ state, onRetry }: { state: SaveState | undefined; onRetry: () => void }) {
  if (state === "saving") {
    return (
      <span className="inline-flex items-center gap-1 text-xs text-muted-foreground">
        <Loader2 className="size-3 animate-spin" aria-hidden="true" /> Saving your answer…
      </span>
    );
  }
  if (state === "saved") return <span className="text-xs text-muted-foreground">Answer saved to your progress.</span>;
  if (state === "error") {
    return (
      <span className="inline-flex items-center gap-2 text-xs text-destructive">
        Your answer was not saved.
        <Button variant="outline" size="sm" className="h-7" onClick={onRetry}>
          <RotateCw aria-hidden="true" /> Retry
        </Button>
      </span>
    );
  }
  return null;
}

/** One question: answer it, check it at once, see why. */
export function ExerciseCard({ exercise, index, total, answer, onCheck, onSelfAssess, onRetrySave }: ExerciseCardProps) {
  const id = useId();
  const [selected, setSelected] = useState("");
  const [text, setText] = useState("");
  const choices = exercise.choices ?? null;
  const checked = answer !== undefined;
  const promptId = `${id}-prompt`;

  return (
    <Card className="p-4 sm:p-6" data-testid="exercise" data-state={checked ? (answer.correct === null ? "assess" : answer.correct ? "correct" : "incorrect") : "open"}>
      <p className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
        Question {index + 1} of {total}
      </p>
      <h3 id={promptId} className="mt-1 text-base font-semibold leading-snug sm:text-lg">
        {exercise.prompt}
      </h3>

      <form
        className="mt-4 grid grid-cols-1 gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          if (checked) return;
          if (choices) {
            if (selected) onCheck(selected, isChoiceCorrect(selected, exercise.answer));
          } else if (text.trim()) {
            onCheck(text.trim(), isFreeTextMatch(text, exercise.answer) ? true : null);
          }
        }}
      >
        {choices ? (
          <RadioGroupPrimitive.Root
            value={checked ? answer.given : selected}
            onValueChange={setSelected}
            disabled={checked}
            aria-labelledby={promptId}
            className="grid grid-cols-1 gap-2"
          >
            {choices.map((choice, choiceIndex) => {
              const itemId = `${id}-choice-${choiceIndex}`;
              const isAnswer = isChoiceCorrect(choice, exercise.answer);
              const isGiven = checked && answer.given === choice;
              return (
                <label
                  key={choice}
                  htmlFor={itemId}
                  className={cn(
                    "flex cursor-pointer items-start gap-3 rounded-lg border p-3 text-sm transition-colors hover:bg-accent/50 has-[:focus-visible]:ring-[3px] has-[:focus-visible]:ring-ring/40",
                    !checked && selected === choice && "border-primary bg-primary/5",
                    checked && isAnswer && "border-success bg-success/10",
                    checked && isGiven && !isAnswer && "border-destructive bg-destructive/10",
                    checked && "cursor-default hover:bg-transparent",
                  )}
                >
                  <RadioGroupPrimitive.Item
                    id={itemId}
                    value={choice}
                    className="mt-0.5 flex size-4 shrink-0 items-center justify-center rounded-full border border-input bg-card outline-none data-[state=checked]:border-primary"
                  >
                    <RadioGroupPrimitive.Indicator className="size-2 rounded-full bg-primary" />
                  </RadioGroupPrimitive.Item>
                  <span className="flex-1">{choice}</span>
                  {checked && isAnswer ? <CheckCircle2 className="size-4 text-success" aria-label="Correct answer" /> : null}
                  {checked && isGiven && !isAnswer ? <XCircle className="size-4 text-destructive" aria-label="Your answer" /> : null}
                </label>
              );
            })}
          </RadioGroupPrimitive.Root>
        ) : (
          <div className="grid grid-cols-1 gap-1.5">
            <label htmlFor={`${id}-answer`} className="text-sm font-medium">
              Your answer
            </label>
            <Textarea
              id={`${id}-answer`}
              rows={3}
              value={checked ? answer.given : text}
              readOnly={checked}
              onChange={(event) => setText(event.target.value)}
              placeholder="Write your answer in your own words"
            />
          </div>
        )}
        {!checked ? (
          <Button type="submit" className="w-full sm:w-auto sm:justify-self-start" disabled={choices ? !selected : !text.trim()}>
            Check answer
          </Button>
        ) : null}
      </form>

      <div aria-live="polite">
        {checked && answer.correct === null ? (
          <div className="mt-4 grid grid-cols-1 gap-3 rounded-lg border bg-muted/40 p-4">
            <p className="text-sm font-semibold">Compare with the model answer</p>
            <p className="text-sm">{exercise.answer}</p>
            <p className="text-sm text-muted-foreground">{exercise.explanation}</p>
            <p className="text-sm font-medium">Did you have it?</p>
            <div className="flex flex-wrap gap-2">
              <Button variant="success" size="sm" onClick={() => onSelfAssess(true)}>
                <CheckCircle2 aria-hidden="true" /> Yes, I had it
              </Button>
              <Button variant="outline" size="sm" onClick={() => onSelfAssess(false)}>
                <XCircle aria-hidden="true" /> Not quite
              </Button>
            </div>
          </div>
        ) : null}
        {checked && answer.correct !== null ? (
          <Alert variant={answer.correct ? "success" : "destructive"} className="mt-4">
            {answer.correct ? <CheckCircle2 aria-hidden="true" /> : <XCircle aria-hidden="true" />}
            <AlertTitle>{answer.correct ? "Correct!" : "Not quite"}</AlertTitle>
            <AlertDescription className="text-foreground/80">
              {!answer.correct || !choices ? (
                <p>
                  <span className="font-medium">Answer:</span> {exercise.answer}
                </p>
              ) : null}
              <p>{exercise.explanation}</p>
              <div className="mt-2">
                <SaveStatus state={answer.save} onRetry={onRetrySave} />
              </div>
            </AlertDescription>
          </Alert>
        ) : null}
      </div>
    </Card>
  );
}
