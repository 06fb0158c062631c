import { useMutation } from "@tanstack/react-query";

import { changePassword, deleteAccount, exportMyData, logOutEverywhere } from "@/features/account/api/account";
import { saveTextFile } from "@/features/account/utils/account";
import { useAuth } from "@/features/auth/hooks/auth-context";
import { toast } from "@/lib/toast";

export const SIGNED_OUT_EVERYWHERE_NOTICE = "You were signed out on every device. Sign in again to continue.";
export const ACCOUNT_DELETED_NOTICE = "Your account and everything stored about it were deleted.";

/** Change the password, then sign this tab in again with it (the server refused every earlier token).
 * Signing in again reloads the user, so the form may unmount meanwhile: the notice is given here. */
export function useChangePassword() {
  const { signIn } = useAuth();
  return useMutation({
    mutationFn: async ({ username, current, next }: { username: string; current: string; next: string }) => {
      await changePassword(current, next);
      await signIn(username, next);
    },
    onSuccess: () =>
      toast({
        title: "Password changed",
        description: "Every other device and browser was signed out; this one stays signed in.",
        variant: "success",
      }),
  });
}

export function useLogOutEverywhere() {
  const { signOut } = useAuth();
  return useMutation({
    mutationFn: () => logOutEverywhere(),
    onSuccess: () => signOut(SIGNED_OUT_EVERYWHERE_NOTICE),
  });
}

export function useExportData() {
  return useMutation({
    mutationFn: () => exportMyData(),
    onSuccess: ({ filename, text }) => saveTextFile(filename, text),
  });
}

export function useDeleteAccount() {
  const { signOut } = useAuth();
  return useMutation({
    mutationFn: (password: string) => deleteAccount(password),
    onSuccess: () => signOut(ACCOUNT_DELETED_NOTICE),
  });
}
