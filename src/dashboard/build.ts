/**
 * Builds the dashboard into dist/dashboard/ (run by `npm run build`, hence by `npm install`):
 * one script, one stylesheet and the page, every asset bundled so it works with no internet.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const out = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { app: `${here}main.tsx` },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  logLevel: 'warning',
});
copyFileSync(`${here}index.html`, `${out}index.html`);
