import { BookOpen, Dumbbell, ListChecks } from "lucide-react";
import { RadioGroup as RadioGroupPrimitive } from "radix-ui";

import type { ContentType } from "@/lib/api/types";
import { cn } from "@/lib/utils";

const OPTIONS: { value: ContentType; label: string; hint: string; icon: typeof BookOpen }[] = [
  { value: "lesson", label: "Lesson", hint: "Explained with examples", icon: BookOpen },
  { value: "quiz", label: "Quiz", hint: "Multiple choice, checked instantly", icon: ListChecks },
  { value: "exercise", label: "Exercise", hint: "Answer in your own words", icon: Dumbbell },
];

/** Lesson / quiz / exercise as three large radio cards. */
export function ContentTypePicker({
  value,
  onChange,
  labelledBy,
}: {
  value: ContentType;
  onChange: (value: ContentType) => void;
  labelledBy: string;
}) {
  return (
    <RadioGroupPrimitive.Root
      value={value}
      onValueChange={(next) => onChange(next as ContentType)}
      aria-labelledby={labelledBy}
      className="grid grid-cols-3 gap-2"
    >
      {OPTIONS.map((option) => (
        <RadioGroupPrimitive.Item
          key={option.value}
          value={option.value}
          className={cn(
            "flex flex-col items-center gap-1 rounded-lg border bg-card p-3 text-center transition-colors outline-none hover:bg-accent/60 focus-visible:ring-[3px] focus-visible:ring-ring/40 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring sm:items-start sm:text-left",
            "data-[state=checked]:border-primary data-[state=checked]:bg-primary/5 data-[state=checked]:ring-1 data-[state=checked]:ring-primary",
          )}
        >
          <option.icon className="size-5 text-primary" aria-hidden="true" />
          <span className="text-sm font-semibold">{option.label}</span>
          <span className="hidden text-xs text-muted-foreground sm:block">{option.hint}</span>
        </RadioGroupPrimitive.Item>
      ))}
    </RadioGroupPrimitive.Root>
  );
}
