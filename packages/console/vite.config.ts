/**
 * Build of the agent desktop: a static single-page app served by the Beckon server under `/console/`, talking to
 * the same origin's `/server/agent/*` API. `npm run dev -w @beckon/console` proxies that API to a local server.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const target = process.env.BECKON_URL ?? 'http://127.0.0.1:9081';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    proxy: { '/server': { target, ws: true } },
  },
});
