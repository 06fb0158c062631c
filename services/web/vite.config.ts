/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";

import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` (or `make web-dev`) proxies the API to the gateway started by `make up`.
// Override with API_PROXY_TARGET=http://host:port, or PORT when the gateway is not on 8000.
const apiTarget = process.env.API_PROXY_TARGET ?? `http://127.0.0.1:${process.env.PORT ?? "8000"}`;
const proxy = { target: apiTarget, changeOrigin: false };

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    host: "127.0.0.1",
    port: Number(process.env.WEB_DEV_PORT ?? 5173),
    proxy: { "/api": proxy, "/docs": proxy, "/openapi.json": proxy },
  },
  build: {
    outDir: "dist",
    // No source maps in production: they would publish the app's source and comments.
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    restoreMocks: true,
    unstubGlobals: true,
    testTimeout: 15000,
    // One jsdom per worker instead of one per file: the suite runs in a fraction of the time.
    // Tests reset what they share (storage, toasts, the API client) in src/test/setup.ts.
    pool: "threads",
    isolate: false,
    maxWorkers: 2,
  },
});
