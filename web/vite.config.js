// Vite builds the dashboard into web/dist; JSX compiles to Preact through esbuild (no Babel).
// `npm run dev` serves it with /api proxied to a signpost on port 8080.
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2020', sourcemap: false },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
