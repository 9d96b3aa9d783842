#!/usr/bin/env node
// The `beckon` command. Beckon runs its TypeScript sources directly (tsx), so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
