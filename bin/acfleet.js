#!/usr/bin/env node
// The CLI is compiled to dist/ at install time (npm's "prepare" script).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('acfleet is not built yet: run `npm install` (or `npm run build`) in the acfleet folder.');
  } else {
    console.error(err);
  }
  process.exit(1);
});
