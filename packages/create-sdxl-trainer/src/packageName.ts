// why: npm's rules for a new package's name (validate-npm-package-name): at most 214 characters, lower case,
// URL-safe without the special characters ~'!()*, not starting with . or _, optionally scoped as @scope/name, and
// not one of the blocked names.
const VALID = /^(?:@[a-z0-9-][a-z0-9-._]*\/)?[a-z0-9-][a-z0-9-._]*$/;
const BLOCKED = new Set(['node_modules', 'favicon.ico']);

/** True when `name` is a valid name for a new npm package. */
export function isValidPackageName(name: string): boolean {
  return name.length <= 214 && VALID.test(name) && !BLOCKED.has(name);
}

/** A valid package name made from a folder name: lower case, spaces and other characters to dashes. */
export function toValidPackageName(input: string): string {
  const name = input
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 214);
  return name === '' || BLOCKED.has(name) ? 'sdxl-trainer-project' : name;
}
