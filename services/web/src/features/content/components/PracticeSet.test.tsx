import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { useSessionTimer } from "@/features/activity/hooks/timer-context";
import { ApiMock, type MockResponse } from "@/test/api-mock";
import { content, learner, user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import { PracticeSet } from "./PracticeSet";

function setup() {
  const mock = new ApiMock()
    .on("GET /api/users/me", { body: user })
    .on("GET /api/learners", { body: [learner()] })
    .on("POST /api/learners/1/responses", { status: 201, body: { stored: 1 } })
    .install();
  renderApp(<PracticeSet content={content()} />);
  return mock;
}

/** Starts the study timer and shows how many answers it recorded. */
function TimerProbe() {
  const { timer, start } = useSessionTimer();
  return (
    <>
      <button type="button" onClick={() => start(1)}>
        Start probe timer
      </button>
      <output data-testid="timed-answers">{timer?.exercises.length ?? 0}</output>
    </>
  );
}

describe("PracticeSet", () => {
  it("checks a choice at once and posts it as a response", async () => {
    const mock = setup();
    const [first] = screen.getAllByTestId("exercise");
    if (!first) throw new Error("no question");
    await userEvent.click(within(first).getByRole("radio", { name: "INNER JOIN" }));
    await userEvent.click(within(first).getByRole("button", { name: "Check answer" }));
    expect(within(first).getByText("Not quite")).toBeInTheDocument();
    expect(within(first).getByText("LEFT JOIN", { selector: "p *, p" })).toBeInTheDocument();
    expect(await within(first).findByText("Answer saved to your progress.")).toBeInTheDocument();
    const [sent] = mock.calls("POST /api/learners/1/responses");
    expect(sent?.body).toMatchObject({
      responses: [{ concept: "SQL joins", correct: false, content_id: "c0ffee00-0000-4000-8000-000000000001" }],
    });
  });

  it("lets the learner judge a free-text answer, then shows the score", async () => {
    const mock = setup();
    const questions = screen.getAllByTestId("exercise");
    const [first, second] = questions;
    if (!first || !second) throw new Error("two questions expected");
    await userEvent.click(within(first).getByRole("radio", { name: "LEFT JOIN" }));
    await userEvent.click(within(first).getByRole("button", { name: "Check answer" }));
    expect(within(first).getByText("Correct!")).toBeInTheDocument();

    await userEvent.type(within(second).getByLabelText("Your answer"), "the matching pairs");
    await userEvent.click(within(second).getByRole("button", { name: "Check answer" }));
    expect(within(second).getByText("Compare with the model answer")).toBeInTheDocument();
    await userEvent.click(within(second).getByRole("button", { name: "Yes, I had it" }));
    expect(await screen.findByTestId("practice-summary")).toHaveTextContent("You got 2 of 2 right");
    expect(mock.calls("POST /api/learners/1/responses")).toHaveLength(2);
    expect(screen.getByRole("button", { name: /Log as a study session/ })).toBeInTheDocument();
  });

  it("accepts a free-text answer that has the key words", async () => {
    setup();
    const second = screen.getAllByTestId("exercise")[1];
    if (!second) throw new Error("two questions expected");
    await userEvent.type(within(second).getByLabelText("Your answer"), "only the rows that match in both tables");
    await userEvent.click(within(second).getByRole("button", { name: "Check answer" }));
    expect(within(second).getByText("Correct!")).toBeInTheDocument();
  });

  it("saves an answer whose POST is still out when the next one is given", async () => {
    const saved: MockResponse = { status: 201, body: { stored: 1 } };
    let releaseFirst = () => {};
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const mock = new ApiMock()
      .on("GET /api/users/me", { body: user })
      .on("GET /api/learners", { body: [learner()] })
      .on(
        "POST /api/learners/1/responses",
        async () => {
          await firstHeld;
          return saved;
        },
        saved,
      )
      .install();
    renderApp(
      <>
        <TimerProbe />
        <PracticeSet content={content()} />
      </>,
    );
    await userEvent.click(screen.getByRole("button", { name: "Start probe timer" }));
    const [first, second] = screen.getAllByTestId("exercise");
    if (!first || !second) throw new Error("two questions expected");

    await userEvent.click(within(first).getByRole("radio", { name: "LEFT JOIN" }));
    await userEvent.click(within(first).getByRole("button", { name: "Check answer" }));
    expect(within(first).getByText("Saving your answer…")).toBeInTheDocument();

    await userEvent.type(within(second).getByLabelText("Your answer"), "the matching pairs");
    await userEvent.click(within(second).getByRole("button", { name: "Check answer" }));
    await userEvent.click(within(second).getByRole("button", { name: "Yes, I had it" }));
    expect(await within(second).findByText("Answer saved to your progress.")).toBeInTheDocument();
    expect(within(first).getByText("Saving your answer…")).toBeInTheDocument();
    expect(mock.calls("POST /api/learners/1/responses")).toHaveLength(2);

    releaseFirst();
    expect(await within(first).findByText("Answer saved to your progress.")).toBeInTheDocument();
    expect(screen.getByTestId("timed-answers")).toHaveTextContent("2");
  });
});
