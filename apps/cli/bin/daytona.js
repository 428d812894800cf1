#!/usr/bin/env node
// The `daytona` command. The code is compiled TypeScript in ../dist; this launcher only says how
// to build it when it is missing (a fresh checkout).
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('daytona: the command is not built yet; run `npx nx run cli:build` in the Daytona repository');
  process.exit(1);
}
await import(main.href);
