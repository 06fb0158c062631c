import type * as React from "react";

import { cn } from "@/lib/utils";

import { inputClasses } from "./input";

export function Textarea({ className, ...props }: React.TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea data-slot="textarea" className={cn(inputClasses, "min-h-20 h-auto", className)} {...props} />;
}
