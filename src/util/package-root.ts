import fs from 'node:fs';
import path from 'node:path';

/** The folder holding TaskPilot's package.json, whether we run from src/ (tests) or dist/. */
export function packageRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'taskpilot') return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no taskpilot package.json above ${from}`);
    dir = parent;
  }
}
