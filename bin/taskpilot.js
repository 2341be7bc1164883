#!/usr/bin/env node
'use strict';
// The CLI is compiled TypeScript; say so plainly when it has not been built yet.
let cli;
try {
  cli = require('../dist/src/cli/index.js');
} catch (error) {
  if (error?.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist/src/cli')) {
    process.stderr.write('taskpilot: not built yet; run `npm run build` first\n');
    process.exit(1);
  }
  throw error;
}
cli.main(process.argv).catch((error) => {
  process.stderr.write(`taskpilot: ${error?.message ?? String(error)}\n`);
  process.exit(1);
});
