/**
 * Makes sure the cluster knows Convo's search attributes before a worker takes work: a conversation that upserts an
 * attribute the cluster does not know fails its workflow tasks until someone registers it.
 */
import type { NativeConnection } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { CLI_TYPE_NAMES, CONVO_SEARCH_ATTRIBUTES } from '../common/search-attributes.js';

/**
 * Registers those of Convo's search attributes the namespace lacks (the dev server and self-hosted clusters allow
 * it through the operator service; Temporal Cloud does not: register them in its UI or with `tcld`).
 * @returns the names it registered (empty when all were there).
 * @throws Error naming the missing attributes and the commands that register them, when registering fails.
 */
export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = CONVO_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((key) => [
          key.name,
          proto.temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`],
        ]),
      ),
    });
  } catch (err) {
    const commands = missing
      .map(
        (key) =>
          `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${CLI_TYPE_NAMES[key.type]}`,
      )
      .join('; ');
    throw new Error(
      `namespace ${namespace} lacks Convo's search attributes ${missing.map((k) => k.name).join(', ')} and they could not be added (${(err as Error).message}); register them: ${commands}`,
      { cause: err },
    );
  }
  return missing.map((key) => key.name);
}
