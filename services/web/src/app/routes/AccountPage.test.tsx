import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ACCOUNT_DELETED_NOTICE, SIGNED_OUT_EVERYWHERE_NOTICE } from "@/features/account/hooks/use-account";
import { ApiMock, problem } from "@/test/api-mock";
import { user } from "@/test/fixtures";
import { renderApp } from "@/test/render";

import AccountPage from "./AccountPage";

function renderAccount(mock: ApiMock) {
  mock.on("GET /api/users/me", { body: user }).on("GET /api/learners", { body: [] }).install();
  return renderApp(<AccountPage />, { route: "/account" });
}

async function fillPasswordForm(current: string, next: string, again = next) {
  await userEvent.type(await screen.findByLabelText("Current password"), current);
  await userEvent.type(screen.getByLabelText("New password"), next);
  await userEvent.type(screen.getByLabelText("New password again"), again);
  await userEvent.click(screen.getByRole("button", { name: "Change password" }));
}

describe("AccountPage", () => {
  it("signs out on the server before forgetting the token", async () => {
    const mock = new ApiMock().on("POST /api/auth/logout", { status: 204 });
    const { store } = renderAccount(mock);
    await userEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    await waitFor(() => expect(store.token).toBeNull());
    expect(mock.calls("POST /api/auth/logout")[0]?.headers.get("Authorization")).toBe("Bearer test-token");
  });

  it("signs out everywhere and says so on the sign-in page", async () => {
    const mock = new ApiMock().on("POST /api/auth/logout-all", { status: 204 });
    const { store } = renderAccount(mock);
    await userEvent.click(await screen.findByRole("button", { name: "Sign out everywhere" }));
    await waitFor(() => expect(store.token).toBeNull());
    expect(store.get().notice).toBe(SIGNED_OUT_EVERYWHERE_NOTICE);
  });

  it("changes the password, then signs this tab in again with the new one", async () => {
    const mock = new ApiMock()
      .on("POST /api/users/me/password", { status: 204 })
      .on("POST /api/auth/token", { body: { access_token: "tok-new", token_type: "bearer", expires_in: 3600 } });
    const { store } = renderAccount(mock);
    await fillPasswordForm("old-password-1", "new-password-2");
    await waitFor(() => expect(store.token).toBe("tok-new"));
    expect(mock.calls("POST /api/users/me/password")[0]?.body).toEqual({
      current_password: "old-password-1",
      new_password: "new-password-2",
    });
    expect(mock.calls("POST /api/auth/token")[0]?.body).toEqual({ username: "ada", password: "new-password-2" });
    expect(await screen.findByText("Password changed")).toBeInTheDocument();
  });

  it("checks the form before sending and shows a wrong current password on its field", async () => {
    const mock = new ApiMock().on(
      "POST /api/users/me/password",
      problem(403, "The current password is wrong. Nothing was changed.", { field: "current_password" }),
    );
    renderAccount(mock);
    await fillPasswordForm("old-password-1", "new-password-2", "new-password-3");
    expect(screen.getByLabelText("New password again")).toHaveAccessibleDescription("The two new passwords differ.");
    expect(mock.calls("POST /api/users/me/password")).toHaveLength(0);
    await userEvent.clear(screen.getByLabelText("New password again"));
    await userEvent.type(screen.getByLabelText("New password again"), "new-password-2");
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    await waitFor(() =>
      expect(screen.getByLabelText("Current password")).toHaveAccessibleDescription("The current password is wrong. Nothing was changed."),
    );
  });

  it("downloads the export as a JSON file named by the server", async () => {
    const createObjectURL = vi.fn(() => "blob:export");
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    const mock = new ApiMock().on("GET /api/users/me/export", {
      body: { format_version: 1, user, learners: [], jobs: [] },
      headers: { "content-disposition": 'attachment; filename="ailp-export-7.json"' },
    });
    renderAccount(mock);
    await userEvent.click(await screen.findByRole("button", { name: "Download my data" }));
    await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
    const anchor = click.mock.contexts[0] as HTMLAnchorElement;
    expect(anchor.download).toBe("ailp-export-7.json");
    expect(createObjectURL).toHaveBeenCalledTimes(1);
  });

  it("deletes the account only after the username is typed, then signs out with a notice", async () => {
    const mock = new ApiMock().on(
      "DELETE /api/users/me",
      problem(403, "The password is wrong. Nothing was changed.", { field: "password" }),
      { status: 204 },
    );
    const { store } = renderAccount(mock);
    await userEvent.click(await screen.findByRole("button", { name: "Delete my account" }));
    const dialog = await screen.findByRole("dialog");
    const confirm = within(dialog).getByRole("button", { name: "Delete everything" });
    await userEvent.type(within(dialog).getByLabelText("Your password"), "wrong-password");
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText(/to confirm/), "ad");
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText(/to confirm/), "a");
    expect(confirm).toBeEnabled();
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(within(dialog).getByLabelText("Your password")).toHaveAccessibleDescription("The password is wrong. Nothing was changed."),
    );
    expect(store.token).toBe("test-token");
    await userEvent.clear(within(dialog).getByLabelText("Your password"));
    await userEvent.type(within(dialog).getByLabelText("Your password"), "correct-horse-42");
    await userEvent.click(confirm);
    await waitFor(() => expect(store.token).toBeNull());
    expect(store.get().notice).toBe(ACCOUNT_DELETED_NOTICE);
    expect(mock.calls("DELETE /api/users/me").map((call) => call.body)).toEqual([
      { password: "wrong-password" },
      { password: "correct-horse-42" },
    ]);
  });
});
