// Runs a callback once a response body stream has been read to its end, failed, or been cancelled.

export function onBodyDone(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let fired = false;
  const fire = (): void => {
    if (fired) return;
    fired = true;
    done();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: ended, value } = await reader.read();
        if (ended) {
          controller.close();
          fire();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        controller.error(error);
        fire();
      }
    },
    async cancel(reason) {
      try {
        await reader.cancel(reason);
      } finally {
        fire();
      }
    },
  });
}
