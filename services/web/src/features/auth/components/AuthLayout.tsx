import { CheckCircle2, GraduationCap } from "lucide-react";
import type { ReactNode } from "react";

const POINTS = [
  "Lessons, quizzes and exercises written for your level and style",
  "Answers checked instantly, progress tracked for you",
  "Know what to review next, and why",
];

export function AuthLayout({ title, description, children }: { title: string; description: ReactNode; children: ReactNode }) {
  return (
    <div className="grid grid-cols-1 min-h-dvh lg:grid-cols-2">
      <aside className="hidden flex-col justify-between bg-primary p-10 text-primary-foreground lg:flex">
        <div className="flex items-center gap-2 text-lg font-semibold">
          <GraduationCap className="size-7" aria-hidden="true" /> ailp
        </div>
        <div className="max-w-md">
          <p className="text-3xl font-semibold leading-tight">Learn faster with lessons written for you.</p>
          <ul className="mt-6 grid grid-cols-1 gap-3 text-primary-foreground/90">
            {POINTS.map((point) => (
              <li key={point} className="flex gap-2">
                <CheckCircle2 className="mt-0.5 size-5 shrink-0" aria-hidden="true" /> {point}
              </li>
            ))}
          </ul>
        </div>
        <p className="text-sm text-primary-foreground/70">The AI Learning Platform</p>
      </aside>
      <main className="flex items-center justify-center px-4 py-10 sm:px-6">
        <div className="w-full max-w-sm">
          <div className="mb-8 flex items-center gap-2 text-lg font-semibold lg:hidden">
            <span className="flex size-9 items-center justify-center rounded-lg bg-primary text-primary-foreground">
              <GraduationCap className="size-5" aria-hidden="true" />
            </span>
            ailp
          </div>
          <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
          <p className="mt-1 mb-6 text-sm text-muted-foreground">{description}</p>
          {children}
        </div>
      </main>
    </div>
  );
}
