import type { z } from 'zod';
import { ResponseValidationError, type ErrorContext, type ValidationIssue } from '../core/errors.js';

/** Parses decoded data with a schema; failures name the paths, never the values (they might hold a token). */
export function parseWith<S extends z.ZodType>(
  schema: S,
  data: unknown,
  context: ErrorContext & { what: string },
): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
    message: issue.message,
  }));
  const summary = issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  const where = context.method && context.url ? `${context.method} ${context.url}: ` : '';
  throw new ResponseValidationError(
    `${where}unexpected ${context.what} shape (${summary}${issues.length > 3 ? '; …' : ''})`,
    {
      ...context,
      issues,
    },
  );
}
