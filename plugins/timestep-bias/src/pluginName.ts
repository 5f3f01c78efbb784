/** The plugin's name: its tap name everywhere and the source named in its config errors. */
export const NAME = '@sdxl-trainer/plugin-timestep-bias';
