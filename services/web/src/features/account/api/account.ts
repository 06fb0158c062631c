// The signed-in user's account: password, sign out everywhere, export, deletion.
import { body, http } from "@/lib/api/client";

/** Every token issued to this account so far is refused from now on. */
export const logOutEverywhere = () => body(http.POST("/api/auth/logout-all"));

/** 204; every earlier token (this one too) is refused afterwards: sign in again. */
export const changePassword = (currentPassword: string, newPassword: string) =>
  body(http.POST("/api/users/me/password", { body: { current_password: currentPassword, new_password: newPassword } }));

export interface DataExport {
  /** The JSON document, as the server sent it. */
  text: string;
  filename: string;
}

/** Everything stored about the user, with the file name the server suggests. */
export async function exportMyData(): Promise<DataExport> {
  const { data, response } = await http.GET("/api/users/me/export");
  const disposition = response.headers.get("content-disposition") ?? "";
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "ailp-export.json";
  return { text: JSON.stringify(data, null, 2), filename };
}

export const deleteAccount = (password: string) => body(http.DELETE("/api/users/me", { body: { password } }));
