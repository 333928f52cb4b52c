/**
 * The companion dashboard's build: Preact through the bundler's own JSX transform (automatic
 * runtime, preact as the import source), so no Babel-based plugin is needed. Output goes to
 * dashboard/dist, which the server serves at `/` with a fallback to index.html for `/c/*`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/ws': { target: 'ws://localhost:3000', ws: true }, '/login': 'http://localhost:3000', '/auth': 'http://localhost:3000', '/logout': 'http://localhost:3000', '/overlay': 'http://localhost:3000' } },
});
