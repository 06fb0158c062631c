export const SEVERITY_COLOR: Record<string, string> = {
  high: "var(--severity-high)",
  medium: "var(--severity-medium)",
  low: "var(--severity-low)",
};
