import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { ApiMock } from "@/test/api-mock";
import { content, learner, user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import ContentPage from "./ContentPage";

const ID = "c0ffee00-0000-4000-8000-000000000001";

function mock(body: ReturnType<typeof content>) {
  return new ApiMock()
    .on("GET /api/users/me", { body: user })
    .on("GET /api/learners", { body: [learner()] })
    .on(`GET /api/content/${ID}`, { body })
    .install();
}

describe("ContentPage", () => {
  it("renders a lesson's markdown and examples", async () => {
    mock(content({ content_type: "lesson", content: "## What is a join?\n\nA **join** combines rows.\n\n<script>alert(1)</script>" }));
    const { container } = renderApp(<ContentPage />, { route: `/content/${ID}`, path: "/content/:contentId" });
    expect(await screen.findByRole("heading", { level: 1, name: "Understanding SQL joins" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 3, name: "What is a join?" })).toBeInTheDocument();
    expect(screen.getByText("join", { selector: "strong" })).toBeInTheDocument();
    // Raw HTML from the model is never rendered.
    expect(container.querySelector("script")).toBeNull();
    const examples = screen.getByRole("heading", { name: "Examples" }).closest("section");
    expect(examples).not.toBeNull();
    expect(within(examples as HTMLElement).getByText("SELECT * FROM a JOIN b ON a.id = b.a_id")).toBeInTheDocument();
    expect(screen.getByRole("tab", { name: /Lesson/ })).toHaveAttribute("aria-selected", "true");
  });

  it("opens a quiz on its questions and shows why AI was unavailable", async () => {
    mock(content({ source: "fallback", model: null, notice: "AI generation is unavailable: no API key is configured." }));
    renderApp(<ContentPage />, { route: `/content/${ID}`, path: "/content/:contentId" });
    const notice = await screen.findByTestId("content-notice");
    expect(notice).toHaveTextContent("AI generation was unavailable");
    expect(notice).toHaveTextContent("no API key is configured");
    expect(screen.getByRole("tab", { name: /Practice \(2\)/ })).toHaveAttribute("aria-selected", "true");
    expect(screen.getAllByTestId("exercise")).toHaveLength(2);
  });

  it("says so when the content does not exist", async () => {
    new ApiMock().on("GET /api/users/me", { body: user }).on("GET /api/learners", { body: [learner()] }).install();
    renderApp(<ContentPage />, { route: `/content/${ID}`, path: "/content/:contentId" });
    expect(await screen.findByText("This content does not exist")).toBeInTheDocument();
  });
});
