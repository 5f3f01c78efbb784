#!/usr/bin/env node
import { generateMain } from '../dist/generate/generateMain.js';

process.exitCode = await generateMain(process.argv.slice(2));
