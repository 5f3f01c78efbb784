// The create-sdxl-trainer command: ./index.js (the bin) imports this after checking the Node version.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
