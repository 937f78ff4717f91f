// Every error becomes a catalogue problem: FaxErrors keep their code and details; fastify's own errors are mapped.
import { describe, expect, it } from 'vitest';
import { CATALOGUE, FaxError } from '../../../src/domain/errors.js';
import { problemOf, toFaxError } from '../../../src/ingress/http/problems.js';

const fst = (code: string, statusCode: number, message = code) => Object.assign(new Error(message), { code, statusCode });

describe('problems', () => {
  it('a FaxError becomes RFC 9457 fields plus code and its details', () => {
    const p = problemOf(new FaxError('unsupported-attachment', 'x.svg is not faxable', { files: [{ name: 'x.svg' }] }), '/v1/faxes');
    expect(p).toEqual({
      type: 'urn:faxgate:error:unsupported-attachment', title: CATALOGUE['unsupported-attachment'].title, status: 415,
      detail: 'x.svg is not faxable', code: 'unsupported-attachment', instance: '/v1/faxes', files: [{ name: 'x.svg' }],
    });
  });

  it('details cannot overwrite the standard members', () => {
    const p = problemOf(new FaxError('not-found', 'gone', { status: 200, code: 'ok' }));
    expect(p).toMatchObject({ status: 404, code: 'not-found' });
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'message-too-large'],
    ['FST_REQ_FILE_TOO_LARGE', 413, 'message-too-large'],
    ['FST_FILES_LIMIT', 413, 'message-too-large'],
    ['FST_PARTS_LIMIT', 413, 'message-too-large'],
    ['FST_FIELDS_LIMIT', 413, 'message-too-large'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'unsupported-media-type'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'invalid-request'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'invalid-request'],
    ['FST_INVALID_MULTIPART_CONTENT_TYPE', 406, 'invalid-request'],
    ['FST_SOMETHING_NEW', 404, 'not-found'],
    ['FST_SOMETHING_ELSE', 400, 'invalid-request'],
    ['ECONNRESET', 500, 'internal'],
  ])('%s (%i) → %s', (code, status, expected) => {
    expect(toFaxError(fst(code, status)).code).toBe(expected);
  });

  it('an unexpected error becomes internal without leaking its message', () => {
    const e = toFaxError(new Error('SQLITE_CORRUPT at /secret/path'));
    expect(e.code).toBe('internal');
    expect(e.message).not.toMatch(/secret/);
  });

  it('validation errors list each field', () => {
    const err = Object.assign(new Error('bad'), {
      validation: [
        { instancePath: '', message: "must have required property 'to'", params: { missingProperty: 'to' } },
        { instancePath: '/files/0', message: 'must NOT have additional properties', params: { additionalProperty: 'colour' } },
        { instancePath: '/paper', message: 'must be equal to one of the allowed values', params: { allowedValues: ['letter', 'a4'] } },
      ],
      validationContext: 'body',
    });
    const fe = toFaxError(err);
    expect(fe.code).toBe('invalid-request');
    expect(fe.details!.errors).toEqual([
      { field: 'to', message: 'to is required' },
      { field: 'files.0.colour', message: 'files.0.colour is not a known field' },
      { field: 'paper', message: 'paper must be equal to one of the allowed values (letter, a4)' },
    ]);
  });
});
