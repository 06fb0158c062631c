import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { ApiMock, problem } from "@/test/api-mock";
import { user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import SignUpPage from "./SignUpPage";

async function fillAndSubmit(username = "ada", email = "ada@example.com", password = "correct-horse-42") {
  await userEvent.type(screen.getByLabelText("Username"), username);
  await userEvent.type(screen.getByLabelText("Email"), email);
  await userEvent.type(screen.getByLabelText("Password"), password);
  await userEvent.click(screen.getByRole("button", { name: "Create account" }));
}

describe("SignUpPage", () => {
  it("checks the rules before sending", async () => {
    const mock = new ApiMock().install();
    renderApp(<SignUpPage />, { signedIn: false });
    await fillAndSubmit("a b", "not-an-email", "short");
    expect(screen.getByLabelText("Username")).toHaveAccessibleDescription("Use only letters, digits, '.', '_' and '-'.");
    expect(screen.getByLabelText("Email")).toHaveAccessibleDescription("Enter a valid email address.");
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription("Use at least 8 characters.");
    expect(mock.requests).toHaveLength(0);
  });

  it("shows a duplicate username next to the username", async () => {
    new ApiMock()
      .on("POST /api/auth/register", problem(409, "That username is already registered. Choose another username, or sign in.", { field: "username" }))
      .install();
    renderApp(<SignUpPage />, { signedIn: false });
    await fillAndSubmit();
    const field = screen.getByLabelText("Username");
    expect(await screen.findByText(/That username is already registered/)).toBeInTheDocument();
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(field).toHaveAccessibleDescription("That username is already registered. Choose another username, or sign in.");
    expect(screen.getByLabelText("Email")).not.toHaveAttribute("aria-invalid");
  });

  it("maps the server's validation errors to their fields", async () => {
    new ApiMock()
      .on(
        "POST /api/auth/register",
        problem(422, "The request is not valid.", {
          errors: [{ loc: ["body", "email"], msg: "value is not a valid email address: The domain name example.invalid does not exist.", type: "value_error" }],
        }),
      )
      .install();
    renderApp(<SignUpPage />, { signedIn: false });
    await fillAndSubmit("ada", "ada@example.invalid");
    expect(await screen.findByText("The domain name example.invalid does not exist.")).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "true");
  });

  it("retries only the sign-in when the account was made but signing in failed", async () => {
    const mock = new ApiMock()
      .on("POST /api/auth/register", { status: 201, body: { id: 7, username: "ada", email: "ada@example.com", created_at: "2026-11-01T10:00:00Z" } })
      .on(
        "POST /api/auth/token",
        problem(503, "The server could not answer right now. Try again in a moment."),
        { body: { access_token: "tok-1", token_type: "bearer", expires_in: 3600 } },
      )
      .on("GET /api/users/me", { body: user })
      .install();
    const { store } = renderApp(<SignUpPage />, { signedIn: false });
    await fillAndSubmit();
    expect(await screen.findByRole("alert")).toHaveTextContent("The server could not answer right now.");

    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    await waitFor(() => expect(store.token).toBe("tok-1"));
    expect(mock.calls("POST /api/auth/register")).toHaveLength(1);
    expect(mock.calls("POST /api/auth/token")).toHaveLength(2);
  });
});
