import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/**
 * A field name fit to echo: an unknown key can be anything the client sent (a whole JSON document posted as a form
 * field name, a BVN), so only identifier-like names appear in errors.
 */
function safeName(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$/.test(key) || /^\d{1,6}$/.test(key) ? key : '(unnamed field)';
}

/**
 * Messages never carry values (no `$value` in any constraint message); the one message class-validator builds from
 * client input is the unknown-property one, which names the key — replaced here.
 */
function messagesOf(e: ValidationError, field: string): string[] {
  return Object.entries(e.constraints ?? {}).map(([name, message]) => (name === 'whitelistValidation' ? `${field} is not an accepted field` : message));
}

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; errors: string[] }> {
  return errors.flatMap((e) => {
    const name = safeName(e.property);
    const field = parent ? `${parent}.${name}` : name;
    const own = e.constraints ? [{ field, errors: messagesOf(e, field) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The global validation pipe: whitelist, forbid unknown fields, transform; errors list the fields. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new BadRequestException({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: `Invalid request: ${fields.map((f) => f.field).join(', ')}`,
        details: { fields },
      });
    },
  });
}
