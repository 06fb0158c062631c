import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { emptyDraft } from "@/features/activity/utils/sessions";
import { ApiError } from "@/lib/api/client";
import { ApiMock } from "@/test/api-mock";
import { renderApp } from "@/test/render";

import { SessionForm } from "./SessionForm";

describe("SessionForm", () => {
  it("refuses an end before the start, next to the end", async () => {
    new ApiMock().install();
    const onSubmit = vi.fn();
    renderApp(<SessionForm draft={emptyDraft()} onSubmit={onSubmit} />, { signedIn: false });
    await userEvent.clear(screen.getByLabelText("Started"));
    await userEvent.type(screen.getByLabelText("Started"), "2026-01-10T10:00");
    await userEvent.clear(screen.getByLabelText("Ended"));
    await userEvent.type(screen.getByLabelText("Ended"), "2026-01-10T09:00");
    await userEvent.click(screen.getByRole("button", { name: "Log session" }));
    expect(screen.getByLabelText("Ended")).toHaveAccessibleDescription("The end must not be before the start.");
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("sends percentages as fractions and shows server errors on their fields", async () => {
    new ApiMock().install();
    const onSubmit = vi.fn().mockRejectedValue(
      new ApiError({
        title: "Validation failed",
        status: 422,
        detail: "The request is not valid.",
        errors: [{ loc: ["body", "performance_score"], msg: "Input should be less than or equal to 1" }],
      }),
    );
    renderApp(<SessionForm draft={emptyDraft()} onSubmit={onSubmit} />, { signedIn: false });
    await userEvent.type(screen.getByLabelText("Completed (%)"), "80");
    await userEvent.type(screen.getByLabelText("Minutes of actual study (optional)"), "25");
    await userEvent.click(screen.getByRole("button", { name: "Add an exercise" }));
    await userEvent.type(screen.getByLabelText("Concept of exercise 1"), "Joins");
    await userEvent.click(screen.getByRole("button", { name: "Log session" }));
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ completion_rate: 0.8, duration_minutes: 25, performance_score: null, exercises_completed: [{ concept: "Joins", correct: true }] }),
    );
    expect(await screen.findByText("Input should be less than or equal to 1.")).toBeInTheDocument();
    expect(screen.getByLabelText("Performance (%)")).toHaveAttribute("aria-invalid", "true");
  });
});
