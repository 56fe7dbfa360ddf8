/**
 * The ApplicationSet controller's goTemplate rendering, for the forms envmatrix writes: `{{.field}}`
 * inside strings (values and map keys), rendered string by string the way the controller walks the
 * template, with `missingkey=error` semantics. Any other template action is refused, so a generator
 * that starts writing one fails here instead of being rendered wrongly.
 */

const ACTION = /\{\{(.*?)\}\}/g;
const FIELD = /^\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*$/;

export class GoTemplateError extends Error {
  override readonly name = 'GoTemplateError';
}

function renderString(text: string, params: Readonly<Record<string, unknown>>, where: string): string {
  return text.replace(ACTION, (_match, action: string) => {
    const field = FIELD.exec(action)?.[1];
    if (field === undefined) throw new GoTemplateError(`${where}: unsupported template action {{${action}}}`);
    if (!Object.hasOwn(params, field))
      throw new GoTemplateError(`${where}: map has no entry for key "${field}" (missingkey=error)`);
    const value = params[field];
    if (typeof value === 'object' && value !== null)
      throw new GoTemplateError(`${where}: {{.${field}}} is not a scalar`);
    return String(value);
  });
}

/** Render `template` with one list element's `params`; throws GoTemplateError like the controller would. */
export function renderGoTemplate<T>(template: T, params: Readonly<Record<string, unknown>>, where = '.'): T {
  if (typeof template === 'string') return renderString(template, params, where) as T;
  if (Array.isArray(template))
    return template.map((item, i) => renderGoTemplate(item as unknown, params, `${where}[${i}]`)) as T;
  if (typeof template === 'object' && template !== null) {
    return Object.fromEntries(
      Object.entries(template).map(([key, value]) => {
        const path = `${where === '.' ? '' : where}.${key}`;
        return [renderString(key, params, path), renderGoTemplate(value as unknown, params, path)];
      }),
    ) as T;
  }
  return template;
}
