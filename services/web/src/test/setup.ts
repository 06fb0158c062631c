import "@testing-library/jest-dom/vitest";

import { cleanup, configure } from "@testing-library/react";
import { cloneElement, createElement, type ReactElement } from "react";
import type * as Recharts from "recharts";
import { afterEach, vi } from "vitest";

import { resetToasts } from "@/lib/toast";

// findBy…/waitFor wait up to 5 s instead of 1 s: on a loaded machine (the suite runs beside
// the others) a page with charts can take longer than a second to render, which is no failure.
configure({ asyncUtilTimeout: 5000 });

// What jsdom lacks and Radix UI / Recharts use.
class ResizeObserverStub {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

const polyfills: Record<string, unknown> = {
  scrollIntoView: () => undefined,
  hasPointerCapture: () => false,
  releasePointerCapture: () => undefined,
};
for (const [name, implementation] of Object.entries(polyfills)) {
  if (!(name in Element.prototype)) Object.defineProperty(Element.prototype, name, { value: implementation, writable: true });
}
if (!("ResizeObserver" in globalThis)) {
  Object.defineProperty(globalThis, "ResizeObserver", { value: ResizeObserverStub, writable: true });
}
if (!("matchMedia" in window)) {
  Object.defineProperty(window, "matchMedia", {
    writable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }),
  });
}

afterEach(() => {
  cleanup();
  resetToasts();
  window.sessionStorage.clear();
  window.localStorage.clear();
});

// Charts need a measured container; jsdom measures nothing. Give ResponsiveContainer a size.
vi.mock("recharts", async (importOriginal) => {
  const actual = await importOriginal<typeof Recharts>();
  function ResponsiveContainer({ children }: { children: ReactElement<{ width?: number; height?: number }> }) {
    return createElement("div", { style: { width: 600, height: 300 } }, cloneElement(children, { width: 600, height: 300 }));
  }
  return { ...actual, ResponsiveContainer };
});
