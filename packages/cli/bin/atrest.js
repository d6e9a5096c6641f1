#!/usr/bin/env node
// The atrest command. It runs ../dist/bundle (one bundle of ../dist and the @atrest packages it
// uses, built by `pnpm build`: scripts/bundle.mjs).
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv.slice(2));
