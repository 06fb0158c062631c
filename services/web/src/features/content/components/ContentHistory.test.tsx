import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { ApiMock } from "@/test/api-mock";
import { content, learner, user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import { ContentHistory } from "./ContentHistory";

describe("ContentHistory", () => {
  it("lists content, filters by type and loads more pages", async () => {
    const lesson = content({ content_id: "a", content_type: "lesson", title: "Joins, explained" });
    const quiz = content({ content_id: "b", title: "Joins quiz" });
    const older = content({ content_id: "c", content_type: "exercise", title: "Older exercise" });
    const mock = new ApiMock()
      .on("GET /api/users/me", { body: user })
      .on("GET /api/learners", { body: [learner()] })
      .on("GET /api/learners/1/content", (request) => {
        if (request.search.get("content_type") === "quiz") return { body: { items: [quiz], next_cursor: null } };
        if (request.search.get("cursor") === "next") return { body: { items: [older], next_cursor: null } };
        return { body: { items: [lesson, quiz], next_cursor: "next" } };
      })
      .install();
    renderApp(<ContentHistory learnerId={1} />);

    expect(await screen.findByText("Joins, explained")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("Older exercise")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("radio", { name: "Quizzes" }));
    expect(await screen.findByRole("link", { name: /Joins quiz/ })).toHaveAttribute("href", "/content/b");
    expect(screen.queryByText("Joins, explained")).not.toBeInTheDocument();
    expect(mock.calls("GET /api/learners/1/content").some((call) => call.search.get("content_type") === "quiz")).toBe(true);
  });

  it("invites to ask for something when there is nothing yet", async () => {
    new ApiMock()
      .on("GET /api/users/me", { body: user })
      .on("GET /api/learners", { body: [learner()] })
      .on("GET /api/learners/1/content", { body: { items: [], next_cursor: null } })
      .install();
    renderApp(<ContentHistory learnerId={1} />);
    expect(await screen.findByText("No content yet")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Ask for a lesson" })).toHaveAttribute("href", "/learn");
  });
});
