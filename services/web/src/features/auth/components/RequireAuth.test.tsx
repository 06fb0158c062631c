import { screen } from "@testing-library/react";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";

import SignInPage from "@/app/routes/SignInPage";
import { ApiMock, problem } from "@/test/api-mock";
import { renderApp } from "@/test/render";

import { PublicOnly, RequireAuth } from "./RequireAuth";

describe("RequireAuth", () => {
  it("sends a signed-out visitor to sign in", async () => {
    new ApiMock().install();
    renderApp(<RequireAuth />, {
      route: "/progress",
      signedIn: false,
      routes: (
        <Route element={<PublicOnly />}>
          <Route path="/sign-in" element={<SignInPage />} />
        </Route>
      ),
      path: "/progress",
    });
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent("/sign-in");
  });

  it("returns to sign in with a message when the server refuses the token", async () => {
    new ApiMock().on("GET /api/users/me", problem(401, "The access token is not valid. Sign in to get a new one.")).install();
    const { store } = renderApp(<RequireAuth />, {
      route: "/history",
      path: "/history",
      routes: (
        <Route element={<PublicOnly />}>
          <Route path="/sign-in" element={<SignInPage />} />
        </Route>
      ),
    });
    expect(await screen.findByText(/Your session has expired or is no longer valid/)).toBeInTheDocument();
    expect(store.token).toBeNull();
    expect(screen.getByTestId("location")).toHaveTextContent("/sign-in");
  });
});
