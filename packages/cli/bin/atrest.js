#!/usr/bin/env node
// The atrest command. The implementation lives in ../dist (built by `pnpm build`).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
