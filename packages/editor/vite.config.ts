import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The editor runs the engine's own browser-safe code (validation, schema) straight from its sources,
// so no engine build is needed and the browser validates exactly as the server does.
const engineEntry = fileURLToPath(new URL('../engine/src/index.ts', import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@storyloom/engine': engineEntry } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    // `npm run dev -w @storyloom/editor` against a server started with `npm start` (port 3000).
    proxy: { '/api': { target: process.env.STORYLOOM_API ?? 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
