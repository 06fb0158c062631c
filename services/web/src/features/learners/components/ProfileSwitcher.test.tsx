import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { ApiMock } from "@/test/api-mock";
import { learner, user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import { ProfileSwitcher } from "./ProfileSwitcher";

describe("ProfileSwitcher", () => {
  it("switches the active profile and remembers it", async () => {
    new ApiMock()
      .on("GET /api/users/me", { body: user })
      .on("GET /api/learners", { body: [learner(), learner({ id: 2, target_niche: "web_dev", experience_level: "advanced" })] })
      .install();
    renderApp(<ProfileSwitcher />);
    await userEvent.click(await screen.findByRole("button", { name: /Learning profile: Data/ }));
    await userEvent.click(screen.getByRole("menuitemradio", { name: /Web dev/ }));
    expect(await screen.findByRole("button", { name: /Learning profile: Web dev/ })).toBeInTheDocument();
    expect(window.localStorage.getItem("ailp.activeLearner.7")).toBe("2");
  });

  it("creates a profile from the menu", async () => {
    const mock = new ApiMock()
      .on("GET /api/users/me", { body: user })
      .on("GET /api/learners", { body: [learner()] }, { body: [learner(), learner({ id: 3, target_niche: "ml" })] })
      .on("POST /api/learners", { status: 201, body: learner({ id: 3, target_niche: "ml" }) })
      .install();
    renderApp(<ProfileSwitcher />);
    await userEvent.click(await screen.findByRole("button", { name: /Learning profile: Data/ }));
    await userEvent.click(screen.getByRole("menuitem", { name: "New profile…" }));
    const dialog = await screen.findByRole("dialog", { name: "New learning profile" });
    await userEvent.type(screen.getByLabelText("What are you learning?"), "ml");
    await userEvent.click(screen.getByRole("button", { name: "Create profile" }));
    expect(await screen.findByRole("button", { name: /Learning profile: Ml/ })).toBeInTheDocument();
    expect(dialog).not.toBeInTheDocument();
    expect(mock.calls("POST /api/learners")[0]?.body).toEqual({
      target_niche: "ml",
      experience_level: "beginner",
      preferred_learning_style: "reading",
      learning_goals: null,
    });
  });
});
