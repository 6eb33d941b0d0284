import type { FastifyReply } from 'fastify';

/**
 * AWS REST-JSON errors: status code, `x-amzn-ErrorType` header and `{"message"}` body, the shape
 * botocore and the v3 SDKs parse into named exceptions.
 */
export function sendAwsError(reply: FastifyReply, status: number, type: string, message: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).header('x-amzn-ErrorType', type).header('content-type', 'application/json').send({ message, ...extra });
}

/** iot-data's exception names by the HTTP status the shadow service reports. */
export const IOT_DATA_ERRORS: Readonly<Record<number, string>> = {
  400: 'InvalidRequestException',
  401: 'UnauthorizedException',
  403: 'UnauthorizedException',
  404: 'ResourceNotFoundException',
  405: 'MethodNotAllowedException',
  409: 'ConflictException',
  413: 'RequestEntityTooLargeException',
  415: 'UnsupportedDocumentEncodingException',
  429: 'ThrottlingException',
  500: 'InternalFailureException',
  503: 'ServiceUnavailableException',
};
