// The admin web client. `npm run build` writes web/dist, which the server
// serves at `/`; `npm run dev:web` runs Vite's dev server with /graphql
// (HTTP and WebSocket) proxied to the API on port 4000.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: {
    // Rule messages come from ../domain/messages.ts (one place for them).
    fs: { allow: [".."] },
    proxy: {
      "/graphql": { target: `http://127.0.0.1:${process.env.API_PORT ?? 4000}`, ws: true },
    },
  },
});
