import type * as React from "react";

import { cn } from "@/lib/utils";

import { Label } from "./label";

export interface FieldControlProps {
  id: string;
  "aria-invalid": boolean | undefined;
  "aria-describedby": string | undefined;
}

interface FieldProps {
  label: React.ReactNode;
  /** The control's id (ties the label, the hint and the error to it). */
  id: string;
  hint?: React.ReactNode;
  error?: string | null;
  className?: string;
  /** Renders the control with the accessibility props it needs. */
  children: (control: FieldControlProps) => React.ReactNode;
}

/** A labelled form control with an optional hint and an error message next to it. */
export function Field({ label, id, hint, error, className, children }: FieldProps) {
  const hintId = hint && !error ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cn("grid grid-cols-1 gap-1.5", className)}>
      <Label htmlFor={id}>{label}</Label>
      {children({ id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy })}
      {hintId ? (
        <p id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-sm font-medium text-destructive" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
