import { Alert, AlertDescription } from "@/components/ui/alert";

/** An error for the form as a whole (none of its fields), announced when it appears. */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Alert variant="destructive" role="alert">
      <AlertDescription className="text-foreground">{message}</AlertDescription>
    </Alert>
  );
}
