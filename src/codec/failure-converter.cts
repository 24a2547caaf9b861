/**
 * The failure converter of workers that encrypt payloads: Temporal's default one with `encodeCommonAttributes`, which
 * moves each failure's message and stack trace into a payload (`encodedAttributes`) that the payload codecs then
 * compress and encrypt, leaving `Encoded failure` in the plaintext fields. Temporal loads failure converters by path
 * (`DataConverter.failureConverterPath`) with `require()`, and bundles them into the workflow code: hence CommonJS.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
