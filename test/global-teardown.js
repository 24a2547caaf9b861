export default async function globalTeardown() {
  await globalThis.convoTestServer?.stop();
}
