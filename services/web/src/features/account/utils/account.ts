// Rules of the account forms, checked before anything is sent (the server checks them again).

export type PasswordChangeField = "current_password" | "new_password" | "confirm_password";

export interface PasswordChangeValues {
  current_password: string;
  new_password: string;
  confirm_password: string;
}

export const MIN_PASSWORD_LENGTH = 8;

export function validatePasswordChange(values: PasswordChangeValues): Partial<Record<PasswordChangeField, string>> {
  const errors: Partial<Record<PasswordChangeField, string>> = {};
  if (!values.current_password) errors.current_password = "Enter your current password.";
  if (values.new_password.length < MIN_PASSWORD_LENGTH) {
    errors.new_password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  } else if (!values.new_password.trim()) {
    errors.new_password = "The password must not be only spaces.";
  } else if (values.new_password === values.current_password) {
    errors.new_password = "Choose a password different from the current one.";
  }
  if (!errors.new_password && values.confirm_password !== values.new_password) {
    errors.confirm_password = "The two new passwords differ.";
  }
  return errors;
}

/** Deleting an account needs its username typed exactly (so it is never a slip of the finger). */
export function deletionConfirmed(typed: string, username: string | undefined): boolean {
  return username !== undefined && username.length > 0 && typed.trim() === username;
}

/** Offer `text` as a file download (the browser's own "save as"). */
export function saveTextFile(filename: string, text: string, type = "application/json"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  // Let the download start before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
