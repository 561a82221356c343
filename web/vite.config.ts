// The admin web client. `npm run build` writes web/dist, which the server
// serves at `/`; `npm run dev:web` runs Vite's dev server with /graphql
// (HTTP and WebSocket) and /export proxied to the API on port 4000.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { compression } from "vite-plugin-compression2";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [
    react(),
    // x.js.gz and x.js.br beside each text asset, compressed once at build time
    // (gzip 9, brotli 11); server/web.ts (sirv) serves them by Accept-Encoding.
    compression({ algorithms: ["gzip", "brotliCompress"], logLevel: "silent" }),
  ],
  // No source maps: they would publish the whole client's source (1.7 MB).
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  server: {
    // Rule messages come from ../domain/messages.ts (one place for them).
    fs: { allow: [".."] },
    proxy: {
      "/graphql": { target: `http://127.0.0.1:${process.env.API_PORT ?? 4000}`, ws: true },
      // 「CSV出力」's files (server/exports.ts).
      "/export": { target: `http://127.0.0.1:${process.env.API_PORT ?? 4000}` },
    },
  },
});
