import { startWorld, type World, type WorldOptions } from "./world";

/**
 * A fresh world for every test of the file; after each, the Chatwoot simulator
 * must have refused nothing its spec would refuse.
 */
export function useWorld(options: WorldOptions = {}): () => World {
  let current: World | undefined;
  beforeEach(async () => {
    current = await startWorld(options);
  });
  afterEach(async () => {
    expect(current?.chatwoot.violations).toEqual([]);
    await current?.close();
  });
  return () => {
    if (current === undefined) throw new Error("useWorld: the world exists only inside a test");
    return current;
  };
}
