import { ChevronsUpDown, Plus, Settings2 } from "lucide-react";
import { useState } from "react";
import { useNavigate } from "react-router";

import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Skeleton } from "@/components/ui/skeleton";
import { useActiveLearner } from "@/features/learners/hooks/learner-context";
import { EXPERIENCE_LABEL, formatNiche } from "@/lib/format";

import { LearnerDialog } from "./LearnerDialog";

/** Which learning profile the app shows; switch, add or manage them. */
export function ProfileSwitcher() {
  const { learners, active, setActiveId, isLoading } = useActiveLearner();
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();

  if (isLoading) return <Skeleton className="h-9 w-32" />;

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button
            variant="outline"
            size="sm"
            className="min-w-0 max-w-[11rem] shrink justify-between gap-1.5 sm:max-w-[16rem]"
            aria-label={active ? `Learning profile: ${formatNiche(active.target_niche)}. Switch profile` : "Create a learning profile"}
          >
            <span className="truncate">{active ? formatNiche(active.target_niche) : "No profile"}</span>
            <ChevronsUpDown className="opacity-60" aria-hidden="true" />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end" className="w-64">
          {learners.length > 0 ? (
            <>
              <DropdownMenuLabel>Learning profiles</DropdownMenuLabel>
              <DropdownMenuRadioGroup
                value={active ? String(active.id) : undefined}
                onValueChange={(value) => {
                  const next = learners.find((learner) => String(learner.id) === value);
                  if (next) setActiveId(next.id);
                }}
              >
                {learners.map((learner) => (
                  <DropdownMenuRadioItem key={learner.id} value={String(learner.id)}>
                    <span className="grid grid-cols-1">
                      <span className="truncate font-medium">{formatNiche(learner.target_niche)}</span>
                      <span className="text-xs text-muted-foreground">{EXPERIENCE_LABEL[learner.experience_level]}</span>
                    </span>
                  </DropdownMenuRadioItem>
                ))}
              </DropdownMenuRadioGroup>
              <DropdownMenuSeparator />
            </>
          ) : null}
          <DropdownMenuItem onSelect={() => setCreating(true)}>
            <Plus aria-hidden="true" /> New profile…
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => void navigate("/profiles")}>
            <Settings2 aria-hidden="true" /> Manage profiles
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <LearnerDialog open={creating} onOpenChange={setCreating} />
    </>
  );
}
