import { Loader2, Trash2 } from "lucide-react";
import { useState, type SubmitEvent } from "react";

import { FormError } from "@/components/common/FormError";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useDeleteAccount } from "@/features/account/hooks/use-account";
import { deletionConfirmed } from "@/features/account/utils/account";
import { PasswordInput } from "@/features/auth/components/PasswordInput";
import { toFormErrors, type FormErrors } from "@/lib/errors";

type DeletionField = "password" | "confirmation";
const FIELDS = ["password", "confirmation"] as const;

export function DeleteAccountCard({ username }: { username: string }) {
  const remove = useDeleteAccount();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [typed, setTyped] = useState("");
  const [errors, setErrors] = useState<FormErrors<DeletionField>>({ fields: {}, form: null });
  const confirmed = deletionConfirmed(typed, username);

  function reset(next: boolean) {
    setOpen(next);
    if (!next) {
      setPassword("");
      setTyped("");
      setErrors({ fields: {}, form: null });
    }
  }

  function handleSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!password) {
      setErrors({ fields: { password: "Enter your password." }, form: null });
      return;
    }
    if (!confirmed) {
      setErrors({ fields: { confirmation: `Type ${username} to confirm.` }, form: null });
      return;
    }
    setErrors({ fields: {}, form: null });
    remove.mutate(password, { onError: (error) => setErrors(toFormErrors(error, FIELDS)) });
  }

  return (
    <Card className="border-destructive/50">
      <CardHeader>
        <CardTitle as="h2" className="text-lg">
          Delete my account
        </CardTitle>
        <CardDescription>
          Deletes your account and everything stored about it — profiles, sessions, answers, lessons, progress and
          requests (queued ones are canceled). This cannot be undone; download your data first if you want a copy.
        </CardDescription>
      </CardHeader>
      <CardFooter>
        <Dialog open={open} onOpenChange={reset}>
          <DialogTrigger asChild>
            <Button variant="destructive">
              <Trash2 aria-hidden="true" /> Delete my account
            </Button>
          </DialogTrigger>
          <DialogContent>
            <form onSubmit={handleSubmit} noValidate className="grid grid-cols-1 gap-4">
              <DialogHeader>
                <DialogTitle>Delete your account for good?</DialogTitle>
                <DialogDescription>
                  Everything stored about {username} is deleted at once and you are signed out everywhere.
                </DialogDescription>
              </DialogHeader>
              <FormError message={errors.form} />
              <Field id="delete-password" label="Your password" error={errors.fields.password}>
                {(control) => (
                  <PasswordInput {...control} name="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} />
                )}
              </Field>
              <Field
                id="delete-confirmation"
                label={
                  <>
                    Type <span className="font-mono font-semibold">{username}</span> to confirm
                  </>
                }
                error={errors.fields.confirmation}
              >
                {(control) => (
                  <Input
                    {...control}
                    name="confirmation"
                    autoComplete="off"
                    autoCapitalize="none"
                    spellCheck={false}
                    value={typed}
                    onChange={(event) => setTyped(event.target.value)}
                  />
                )}
              </Field>
              <DialogFooter>
                <DialogClose asChild>
                  <Button type="button" variant="outline">
                    Keep my account
                  </Button>
                </DialogClose>
                <Button type="submit" variant="destructive" disabled={!confirmed || remove.isPending}>
                  {remove.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <Trash2 aria-hidden="true" />}
                  Delete everything
                </Button>
              </DialogFooter>
            </form>
          </DialogContent>
        </Dialog>
      </CardFooter>
    </Card>
  );
}
