/**
 * Reading a conversation's history as the Temporal server stores it, for tests that check what reached it (and what
 * must not: prompts under encryption, secrets).
 */
import { gunzipSync } from 'node:zlib';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { World } from './world.js';

const { temporal } = proto;
export type RawPayload = proto.temporal.api.common.v1.IPayload;

/**
 * The workflow's history as the server holds it, read with a plain connection (no data converter), every page:
 * every event serialised to protobuf bytes, every payload found in it, and the gunzipped contents of every gzip
 * payload (and of gzip payloads inside those).
 */
export async function rawHistory(
  world: World,
  id: string,
): Promise<{ bytes: Buffer; gunzipped: Buffer; payloads: RawPayload[] }> {
  const connection = await Connection.connect({ address: world.config.temporalAddress });
  try {
    const events: proto.temporal.api.history.v1.IHistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await connection.workflowService.getWorkflowExecutionHistory({
        namespace: world.config.namespace,
        execution: { workflowId: id },
        maximumPageSize: 20,
        nextPageToken,
      });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    if (events.length <= 5) throw new Error(`history of ${id} has only ${events.length} events`);
    const bytes = Buffer.concat(events.map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish()));
    const payloads: RawPayload[] = [];
    const gunzipped: Buffer[] = [];
    const visit = (value: unknown): void => {
      if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
      if (Array.isArray(value)) return value.forEach(visit);
      const candidate = value as RawPayload;
      if (candidate.data instanceof Uint8Array && candidate.metadata && typeof candidate.metadata === 'object') {
        payloads.push(candidate);
        if (Buffer.from(candidate.metadata.encoding ?? []).toString() === 'binary/gzip') {
          const inner = gunzipSync(candidate.data);
          gunzipped.push(inner);
          visit(temporal.api.common.v1.Payload.decode(inner));
        }
      }
      // Search attributes are indexed by the server, so they are never encoded (Convo's hold status, backend,
      // account, turn count and reset time), and the SDK writes its patch markers' details (`{"id":"convo-visibility"}`)
      // itself; neither holds conversation text, and the bytes checks above still cover them.
      for (const [key, child] of Object.entries(value)) {
        if (key !== 'searchAttributes' && key !== 'markerRecordedEventAttributes') visit(child);
      }
    };
    visit(events);
    return { bytes, gunzipped: Buffer.concat(gunzipped), payloads };
  } finally {
    await connection.close();
  }
}

/** Every byte of a conversation's history, raw and gunzipped: what a search for a secret must look through. */
export async function historyBytes(world: World, id: string): Promise<Buffer> {
  const raw = await rawHistory(world, id);
  return Buffer.concat([raw.bytes, raw.gunzipped]);
}
