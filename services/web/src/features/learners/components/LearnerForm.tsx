import { Loader2 } from "lucide-react";
import { useId, useState, type SubmitEvent } from "react";

import { FormError } from "@/components/common/FormError";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { isApiError } from "@/lib/api/client";
import {
  EXPERIENCE_LEVELS,
  LEARNING_STYLES,
  type ExperienceLevel,
  type Learner,
  type LearnerInput,
  type LearningStyle,
} from "@/lib/api/types";
import { toFormErrors, type FormErrors } from "@/lib/errors";
import { EXPERIENCE_LABEL, STYLE_LABEL } from "@/lib/format";

const FIELDS = ["target_niche", "experience_level", "preferred_learning_style", "learning_goals"] as const;
type LearnerField = (typeof FIELDS)[number];

const STYLE_HINT: Record<LearningStyle, string> = {
  visual: "diagrams, tables, pictures",
  auditory: "explanations to talk through",
  reading: "text and notes",
  kinesthetic: "learning by doing",
};

interface LearnerFormProps {
  initial?: Learner;
  submitLabel: string;
  onSubmit: (input: LearnerInput) => Promise<unknown>;
  onCancel?: () => void;
}

/** Create or edit a learner profile; the server's errors appear next to their fields. */
export function LearnerForm({ initial, submitLabel, onSubmit, onCancel }: LearnerFormProps) {
  const id = useId();
  const [niche, setNiche] = useState(initial?.target_niche ?? "");
  const [level, setLevel] = useState<ExperienceLevel>(initial?.experience_level ?? "beginner");
  const [style, setStyle] = useState<LearningStyle>(initial?.preferred_learning_style ?? "reading");
  const [goals, setGoals] = useState(initial?.learning_goals ?? "");
  const [errors, setErrors] = useState<FormErrors<LearnerField>>({ fields: {}, form: null });
  const [pending, setPending] = useState(false);

  async function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const local: FormErrors<LearnerField> = { fields: {}, form: null };
    if (!niche.trim()) local.fields.target_niche = "Name the field you are learning, e.g. data or web_dev.";
    if (local.fields.target_niche) {
      setErrors(local);
      return;
    }
    setPending(true);
    setErrors({ fields: {}, form: null });
    try {
      await onSubmit({
        target_niche: niche.trim(),
        experience_level: level,
        preferred_learning_style: style,
        learning_goals: goals.trim() ? goals.trim() : null,
      });
    } catch (error) {
      const mapped = toFormErrors(error, FIELDS);
      // One profile per niche: a 409 is about the niche.
      if (isApiError(error) && error.status === 409) {
        mapped.fields.target_niche = error.detail;
        mapped.form = null;
      }
      setErrors(mapped);
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={(event) => void handleSubmit(event)} noValidate className="grid grid-cols-1 gap-4">
      <FormError message={errors.form} />
      <Field id={`${id}-niche`} label="What are you learning?" hint="A short name for the field, e.g. data, web_dev, tech_career." error={errors.fields.target_niche}>
        {(control) => (
          <Input {...control} name="target_niche" value={niche} maxLength={50} autoComplete="off" onChange={(e) => setNiche(e.target.value)} />
        )}
      </Field>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field id={`${id}-level`} label="Experience" error={errors.fields.experience_level}>
          {(control) => (
            <Select value={level} onValueChange={(value) => setLevel(value as ExperienceLevel)}>
              <SelectTrigger {...control}>
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {EXPERIENCE_LEVELS.map((value) => (
                  <SelectItem key={value} value={value}>
                    {EXPERIENCE_LABEL[value]}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          )}
        </Field>
        <Field id={`${id}-style`} label="Learning style" error={errors.fields.preferred_learning_style}>
          {(control) => (
            <Select value={style} onValueChange={(value) => setStyle(value as LearningStyle)}>
              <SelectTrigger {...control}>
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {LEARNING_STYLES.map((value) => (
                  <SelectItem key={value} value={value}>
                    {STYLE_LABEL[value]} — {STYLE_HINT[value]}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          )}
        </Field>
      </div>
      <Field
        id={`${id}-goals`}
        label="Goals (optional)"
        hint="What do you want to be able to do? The lessons are written with this in mind."
        error={errors.fields.learning_goals}
      >
        {(control) => (
          <Textarea {...control} name="learning_goals" rows={3} maxLength={2000} value={goals} onChange={(e) => setGoals(e.target.value)} />
        )}
      </Field>
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
