import { BookOpen, History, LineChart, ShieldCheck, Timer, type LucideIcon } from "lucide-react";

export interface NavItem {
  to: string;
  label: string;
  icon: LucideIcon;
  adminOnly?: boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { to: "/learn", label: "Learn", icon: BookOpen },
  { to: "/progress", label: "Progress", icon: LineChart },
  { to: "/history", label: "History", icon: History },
  { to: "/sessions", label: "Sessions", icon: Timer },
  { to: "/admin", label: "Admin", icon: ShieldCheck, adminOnly: true },
];
