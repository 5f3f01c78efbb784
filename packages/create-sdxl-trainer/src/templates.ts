/** The templates this scaffolder ships, in the order a prompt lists them. */
export const TEMPLATES = [
  {
    name: 'default',
    kind: 'project',
    title: 'the SDXL preset on a tiny dataset',
    hint: 'trains a tiny SDXL offline in minutes',
  },
  {
    name: 'minimal',
    kind: 'project',
    title: 'the smallest run, core only',
    hint: 'a dataset, a noise schedule, a toy model',
  },
  {
    name: 'plugin',
    kind: 'plugin',
    title: 'a plugin package',
    hint: 'a loss weighting, tested in a real trainer',
  },
] as const;

/** The name of a shipped template. */
export type TemplateName = (typeof TEMPLATES)[number]['name'];

/** One shipped template. */
export type TemplateInfo = (typeof TEMPLATES)[number];

/** True when `name` is a shipped template's name. */
export function isTemplateName(name: string): name is TemplateName {
  return TEMPLATES.some((template) => template.name === name);
}

/** The folder a template is created in when none is given. */
export function defaultTargetDir(template: TemplateName): string {
  return template === 'plugin' ? 'sdxl-trainer-plugin' : 'sdxl-trainer-project';
}
