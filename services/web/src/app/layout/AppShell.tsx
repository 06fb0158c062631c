import { GraduationCap } from "lucide-react";
import { Suspense } from "react";
import { Link, Outlet } from "react-router";

import { PageSkeleton } from "@/components/common/PageSkeleton";
import { TimerIndicator } from "@/features/activity/components/TimerIndicator";
import { ProfileSwitcher } from "@/features/learners/components/ProfileSwitcher";

import { MainNav, MobileNav } from "./MainNav";
import { RouteChange } from "./RouteChange";
import { UserMenu } from "./UserMenu";

export function AppShell() {
  return (
    <div className="flex min-h-dvh flex-col">
      <RouteChange />
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-[60] focus:rounded-md focus:bg-card focus:px-4 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-40 border-b bg-card/90 backdrop-blur supports-[backdrop-filter]:bg-card/75">
        <div className="mx-auto flex h-14 max-w-6xl items-center gap-2 px-3 sm:gap-4 sm:px-4">
          <Link to="/learn" className="flex shrink-0 items-center gap-2 rounded-md font-semibold" aria-label="ailp home">
            <span className="flex size-8 items-center justify-center rounded-lg bg-primary text-primary-foreground">
              <GraduationCap className="size-5" aria-hidden="true" />
            </span>
            <span className="hidden text-lg tracking-tight sm:inline">ailp</span>
          </Link>
          <MainNav />
          <div className="ml-auto flex min-w-0 items-center gap-2">
            <TimerIndicator />
            <ProfileSwitcher />
            <UserMenu />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 px-4 pt-6 pb-28 outline-none md:pb-12">
        <Suspense fallback={<PageSkeleton />}>
          <Outlet />
        </Suspense>
      </main>
      <MobileNav />
    </div>
  );
}
