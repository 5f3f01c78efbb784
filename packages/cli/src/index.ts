export { main, type CliIo } from './main.js';
export { ProgressRenderer, type Terminal } from './ProgressRenderer.js';
export { formatError } from './formatError.js';
export { formatDuration, formatNumber } from './formatDuration.js';
export { generateMain, type GenerateIo } from './generate/generateMain.js';
