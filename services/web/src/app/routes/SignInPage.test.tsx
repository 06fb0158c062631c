import { act, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";

import { PublicOnly } from "@/features/auth/components/RequireAuth";
import { ApiMock, problem } from "@/test/api-mock";
import { user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import SignInPage from "./SignInPage";

function renderSignIn(mock: ApiMock) {
  mock.install();
  return renderApp(<div>after sign in</div>, {
    route: "/sign-in",
    path: "/learn",
    signedIn: false,
    routes: (
      <Route element={<PublicOnly />}>
        <Route path="/sign-in" element={<SignInPage />} />
      </Route>
    ),
  });
}

describe("SignInPage", () => {
  it("asks for both fields before sending anything", async () => {
    const mock = new ApiMock();
    renderSignIn(mock);
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(screen.getByLabelText("Username")).toHaveAccessibleDescription("Enter your username.");
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
    expect(mock.requests).toHaveLength(0);
  });

  it("shows the server's message for wrong credentials", async () => {
    renderSignIn(new ApiMock().on("POST /api/auth/token", problem(401, "Wrong username or password.")));
    await userEvent.type(screen.getByLabelText("Username"), "ada");
    await userEvent.type(screen.getByLabelText("Password"), "nope-nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong username or password.");
  });

  it("signs in, keeps the token in sessionStorage and goes on", async () => {
    const mock = new ApiMock()
      .on("POST /api/auth/token", { body: { access_token: "tok-1", token_type: "bearer", expires_in: 3600 } })
      .on("GET /api/users/me", { body: user });
    const { store } = renderSignIn(mock);
    await userEvent.type(screen.getByLabelText("Username"), "ada");
    await userEvent.type(screen.getByLabelText("Password"), "correct-horse-42");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("after sign in")).toBeInTheDocument();
    expect(store.token).toBe("tok-1");
    expect(mock.calls("POST /api/auth/token")[0]?.body).toEqual({ username: "ada", password: "correct-horse-42" });
  });

  it("says why the user was signed out", async () => {
    const mock = new ApiMock();
    mock.install();
    const { store } = renderApp(<SignInPage />, { route: "/sign-in", signedIn: false });
    act(() => store.expire("Your session has expired. Please sign in again."));
    expect(await screen.findByText("Your session has expired. Please sign in again.")).toBeInTheDocument();
  });
});
