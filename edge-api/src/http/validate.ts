import type { z } from 'zod';
import { validationFailed, type FieldError } from './problem';

const joinPath = (path: ReadonlyArray<PropertyKey>): string => path.map(String).join('.');

function fieldErrors(issues: z.core.$ZodIssue[], what: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      // Named one by one so a client sees exactly which field is not accepted (e.g. `role` on a profile update).
      for (const key of issue.keys) errors.push({ field: joinPath([...issue.path, key]), description: 'Unknown field' });
    } else {
      errors.push({ field: joinPath(issue.path) || what, description: issue.message });
    }
  }
  return errors;
}

/** Parses request input with its schema; a mismatch is a 400 problem listing every field at fault. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationFailed(fieldErrors(result.error.issues, what), `The ${what} is not valid`);
}

/** Reads one request header through a schema; a bad or (when required) missing value is a 400 naming the header. */
export function validateHeader<S extends z.ZodType<string>>(
  value: string | undefined,
  name: string,
  schema: S,
  options: { required: boolean; reason: string },
): z.output<S> | undefined {
  if (value === undefined) {
    if (!options.required) return undefined;
    throw validationFailed([{ field: name, description: 'is required' }], `The ${name} header is required`, options.reason);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const description = result.error.issues.map((issue) => issue.message).join('; ');
  throw validationFailed([{ field: name, description }], `The ${name} header is not valid`, options.reason);
}
