import { randomInt } from 'node:crypto';

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random run id of `length` base-36 characters (wandb's runid.generate_id: 8 characters, ~2.8·10¹² ids). */
export function generateRunId(length = 8): string {
  let id = '';
  for (let i = 0; i < length; i++) id += ID_CHARS[randomInt(ID_CHARS.length)];
  return id;
}

/** The local start time as wandb names run folders: `YYYYMMDD_HHMMSS` (wandb_settings.py `_start_datetime`). */
export function timespec(date: Date): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(date.getFullYear(), 4)}${pad(date.getMonth() + 1)}${pad(date.getDate())}_${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}
