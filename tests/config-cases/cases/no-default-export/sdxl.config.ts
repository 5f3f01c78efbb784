export const config = { seed: 1 };
