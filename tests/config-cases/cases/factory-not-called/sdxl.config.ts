import type { TrainerPlugin } from '@sdxl-trainer/core';

const minSnr = (options: { gamma: number }): TrainerPlugin => ({ name: 'case:min-snr', apply: () => void options.gamma });

export default { plugins: [minSnr] };
