import { Loader2, Sparkles } from "lucide-react";
import { useRef, useState, type SubmitEvent } from "react";

import { FormError } from "@/components/common/FormError";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useGenerateContent } from "@/features/content/hooks/use-content";
import { validateConcept } from "@/features/content/utils/validation";
import type { ContentType, Learner } from "@/lib/api/types";
import { toFormErrors, type FormErrors } from "@/lib/errors";
import { randomId } from "@/lib/utils";

import { ContentTypePicker } from "./ContentTypePicker";

const FIELDS = ["concept", "content_type", "fresh"] as const;
type GenerateField = (typeof FIELDS)[number];

/** Ask for a lesson, quiz or exercise on a concept. */
export function GenerateForm({
  learner,
  suggestions,
  onSubmitted,
}: {
  learner: Learner;
  suggestions: string[];
  onSubmitted?: () => void;
}) {
  const [concept, setConcept] = useState("");
  const [type, setType] = useState<ContentType>("lesson");
  const [fresh, setFresh] = useState(false);
  const [errors, setErrors] = useState<FormErrors<GenerateField>>({ fields: {}, form: null });
  const generate = useGenerateContent();
  // The same key while the same request is retried (e.g. after a network error): no duplicates.
  const attempt = useRef<{ key: string; body: string } | null>(null);

  function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const problem = validateConcept(concept);
    if (problem) {
      setErrors({ fields: { concept: problem }, form: null });
      return;
    }
    const input = { concept: concept.trim(), content_type: type, ...(fresh ? { fresh: true } : {}) };
    const body = JSON.stringify([learner.id, input]);
    if (attempt.current?.body !== body) attempt.current = { key: randomId(), body };
    setErrors({ fields: {}, form: null });
    generate.mutate(
      { learnerId: learner.id, input, idempotencyKey: attempt.current.key },
      {
        onSuccess: () => {
          attempt.current = null;
          setConcept("");
          setFresh(false);
          onSubmitted?.();
        },
        onError: (error) => setErrors(toFormErrors(error, FIELDS)),
      },
    );
  }

  return (
    <form onSubmit={handleSubmit} noValidate className="grid grid-cols-1 gap-4" aria-label="Ask for a lesson, quiz or exercise">
      <FormError message={errors.form} />
      <Field id="generate-concept" label="Concept" hint="Anything you want to understand, e.g. “SQL joins” or “binary search”." error={errors.fields.concept}>
        {(control) => (
          <Input
            {...control}
            name="concept"
            value={concept}
            maxLength={200}
            autoComplete="off"
            placeholder="What do you want to learn?"
            onChange={(e) => setConcept(e.target.value)}
          />
        )}
      </Field>
      {suggestions.length > 0 ? (
        <div className="-mt-1 flex flex-wrap items-center gap-2">
          <span className="text-xs text-muted-foreground">Suggested:</span>
          {suggestions.slice(0, 5).map((suggestion) => (
            <button
              key={suggestion}
              type="button"
              onClick={() => setConcept(suggestion)}
              className="rounded-full border bg-card px-3 py-1 text-xs font-medium hover:bg-accent"
            >
              {suggestion}
            </button>
          ))}
        </div>
      ) : null}
      <div className="grid grid-cols-1 gap-1.5">
        <span id="generate-type-label" className="text-sm font-medium">
          Format
        </span>
        <ContentTypePicker value={type} onChange={setType} labelledBy="generate-type-label" />
        {errors.fields.content_type ? <p className="text-sm font-medium text-destructive">{errors.fields.content_type}</p> : null}
      </div>
      <div className="flex items-start gap-2">
        <Checkbox id="generate-fresh" checked={fresh} onCheckedChange={(value) => setFresh(value === true)} aria-describedby="generate-fresh-hint" />
        <div className="grid grid-cols-1 gap-0.5">
          <Label htmlFor="generate-fresh">Write a new one</Label>
          <span id="generate-fresh-hint" className="text-xs text-muted-foreground">
            Don’t reuse an earlier answer to the same request.
          </span>
        </div>
      </div>
      <Button type="submit" size="lg" disabled={generate.isPending} className="w-full sm:w-auto sm:justify-self-start">
        {generate.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <Sparkles aria-hidden="true" />}
        Generate
      </Button>
    </form>
  );
}
