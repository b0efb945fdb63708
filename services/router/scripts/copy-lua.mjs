// tsc compiles src/ to dist/ but copies nothing else: the Lua scripts the data-access adapters
// read at start-up (data-access/*.lua) go next to their compiled adapters here.
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const scripts = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((file) =>
  file.endsWith('.lua'),
);
for (const file of scripts) cpSync(path.join(src, file), path.join(dist, file));
process.stdout.write(
  `copied ${scripts.length} Lua scripts to ${path.relative(process.cwd(), dist) || '.'}\n`,
);
