import { Loader2, Plus, Trash2 } from "lucide-react";
import { useId, useState, type SubmitEvent } from "react";

import { FormError } from "@/components/common/FormError";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { buildSessionInput, type ManualExercise, type SessionDraft } from "@/features/activity/utils/sessions";
import { SESSION_FIELDS, validateSession, type SessionField } from "@/features/activity/utils/validation";
import type { SessionInput } from "@/lib/api/types";
import { toFormErrors, type FormErrors } from "@/lib/errors";
import { fromLocalInputValue, toLocalInputValue } from "@/lib/format";

const toPercentText = (value: number | null) => (value === null ? "" : String(Math.round(value * 100)));

interface SessionFormProps {
  draft: SessionDraft;
  onSubmit: (input: SessionInput) => Promise<unknown>;
  onCancel?: () => void;
  submitLabel?: string;
}

export function SessionForm({ draft, onSubmit, onCancel, submitLabel = "Log session" }: SessionFormProps) {
  const id = useId();
  const [start, setStart] = useState(toLocalInputValue(new Date(draft.session_start)));
  const [end, setEnd] = useState(draft.session_end ? toLocalInputValue(new Date(draft.session_end)) : "");
  const [duration, setDuration] = useState("");
  const [completion, setCompletion] = useState(toPercentText(draft.completion_rate));
  const [performance, setPerformance] = useState(toPercentText(draft.performance_score));
  const [manual, setManual] = useState<ManualExercise[]>([]);
  const [errors, setErrors] = useState<FormErrors<SessionField>>({ fields: {}, form: null });
  const [pending, setPending] = useState(false);

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const local = validateSession({ start, end, duration, completion, performance });
    if (Object.keys(local).length > 0) {
      setErrors({ fields: local, form: null });
      return;
    }
    setPending(true);
    setErrors({ fields: {}, form: null });
    try {
      await onSubmit(
        buildSessionInput(
          {
            session_start: fromLocalInputValue(start),
            session_end: fromLocalInputValue(end),
            duration_minutes: duration,
            completion_rate: completion,
            performance_score: performance,
          },
          draft,
          manual,
        ),
      );
    } catch (error) {
      setErrors(toFormErrors(error, SESSION_FIELDS));
      setPending(false);
    }
  }

  const inApp = draft.exercises.length;
  const inAppCorrect = draft.exercises.filter((item) => item.correct).length;

  return (
    <form onSubmit={(event) => void handleSubmit(event)} noValidate className="grid grid-cols-1 gap-4" aria-label="Study session">
      <FormError message={errors.form} />
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field id={`${id}-start`} label="Started" error={errors.fields.session_start}>
          {(control) => <Input {...control} type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} required />}
        </Field>
        <Field id={`${id}-end`} label="Ended" error={errors.fields.session_end}>
          {(control) => <Input {...control} type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} />}
        </Field>
      </div>
      <Field
        id={`${id}-duration`}
        label="Minutes of actual study (optional)"
        hint="Leave empty to count the time from start to end."
        error={errors.fields.duration_minutes}
      >
        {(control) => (
          <Input {...control} type="number" inputMode="numeric" min={0} step={1} value={duration} onChange={(e) => setDuration(e.target.value)} />
        )}
      </Field>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field id={`${id}-completion`} label="Completed (%)" hint="How much of what you planned you finished." error={errors.fields.completion_rate}>
          {(control) => (
            <Input {...control} type="number" inputMode="numeric" min={0} max={100} value={completion} onChange={(e) => setCompletion(e.target.value)} />
          )}
        </Field>
        <Field id={`${id}-performance`} label="Performance (%)" hint="How well it went, e.g. your quiz score." error={errors.fields.performance_score}>
          {(control) => (
            <Input {...control} type="number" inputMode="numeric" min={0} max={100} value={performance} onChange={(e) => setPerformance(e.target.value)} />
          )}
        </Field>
      </div>

      {draft.content_accessed.length > 0 || inApp > 0 ? (
        <div className="rounded-lg border bg-muted/40 p-3 text-sm">
          {draft.content_accessed.length > 0 ? (
            <p>
              {draft.content_accessed.length} {draft.content_accessed.length === 1 ? "lesson or quiz" : "lessons and quizzes"} opened
            </p>
          ) : null}
          {inApp > 0 ? (
            <p>
              {inApp} {inApp === 1 ? "answer" : "answers"} in the app ({inAppCorrect} correct) — already saved to your progress
            </p>
          ) : null}
        </div>
      ) : null}

      <fieldset className="grid grid-cols-1 gap-2">
        <legend className="mb-1 text-sm font-medium">Exercises done elsewhere (optional)</legend>
        {manual.map((item, index) => (
          <div key={index} className="flex flex-wrap items-end gap-2 sm:flex-nowrap">
            <div className="grid grid-cols-1 min-w-0 flex-1 basis-full gap-1 sm:basis-auto">
              <label htmlFor={`${id}-ex-${index}`} className="sr-only">
                Concept of exercise {index + 1}
              </label>
              <Input
                id={`${id}-ex-${index}`}
                placeholder="Concept, e.g. SQL joins"
                value={item.concept}
                onChange={(e) =>
                  setManual((rows) => rows.map((row, i) => (i === index ? { ...row, concept: e.target.value } : row)))
                }
              />
            </div>
            <Select
              value={item.correct ? "correct" : "incorrect"}
              onValueChange={(value) =>
                setManual((rows) => rows.map((row, i) => (i === index ? { ...row, correct: value === "correct" } : row)))
              }
            >
              <SelectTrigger className="flex-1 sm:w-36 sm:flex-none" aria-label={`Result of exercise ${index + 1}`}>
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value="correct">Got it right</SelectItem>
                <SelectItem value="incorrect">Got it wrong</SelectItem>
              </SelectContent>
            </Select>
            <Button
              variant="ghost"
              size="icon"
              aria-label={`Remove exercise ${index + 1}`}
              onClick={() => setManual((rows) => rows.filter((_, i) => i !== index))}
            >
              <Trash2 aria-hidden="true" />
            </Button>
          </div>
        ))}
        {errors.fields.exercises_completed ? (
          <p className="text-sm font-medium text-destructive" role="alert">
            {errors.fields.exercises_completed}
          </p>
        ) : null}
        <Button variant="outline" size="sm" className="justify-self-start" onClick={() => setManual((rows) => [...rows, { concept: "", correct: true }])}>
          <Plus aria-hidden="true" /> Add an exercise
        </Button>
      </fieldset>

      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        {onCancel ? (
          <Button variant="outline" onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
        ) : null}
        <Button type="submit" disabled={pending}>
          {pending ? <Loader2 className="animate-spin" aria-hidden="true" /> : null}
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
