import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** Path ids must be UUIDs: anything else is a 400 naming the parameter (not a 404 or a database error). */
export function uuidParam(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      new BadRequestException({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: `Invalid request: ${name}`,
        details: { fields: [{ field: name, errors: [`${name} must be a UUID`] }] },
      }),
  });
}
