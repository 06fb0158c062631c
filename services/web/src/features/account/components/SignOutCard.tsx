import { Loader2, LogOut, MonitorSmartphone } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { useLogOutEverywhere } from "@/features/account/hooks/use-account";
import { useAuth } from "@/features/auth/hooks/auth-context";
import { errorMessage } from "@/lib/errors";
import { toast } from "@/lib/toast";

export function SignOutCard() {
  const { logOut } = useAuth();
  const everywhere = useLogOutEverywhere();
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h2" className="text-lg">
          Sign out
        </CardTitle>
        <CardDescription>
          Signing out here ends this browser’s session. Signing out everywhere also ends it on every other device or
          browser where you signed in — use it if you forgot to sign out somewhere or think someone else has your session.
        </CardDescription>
      </CardHeader>
      <CardFooter className="flex-wrap gap-2">
        <Button variant="outline" onClick={() => void logOut()}>
          <LogOut aria-hidden="true" /> Sign out
        </Button>
        <Button
          variant="outline"
          disabled={everywhere.isPending}
          onClick={() =>
            everywhere.mutate(undefined, {
              onError: (error) => toast({ title: "Could not sign out everywhere", description: errorMessage(error), variant: "error" }),
            })
          }
        >
          {everywhere.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <MonitorSmartphone aria-hidden="true" />}
          Sign out everywhere
        </Button>
      </CardFooter>
    </Card>
  );
}
