import { basename } from "path";
import { writeHostileReport } from "./hostile-report";
import { startWorld, type World, type WorldOptions } from "./world";

/**
 * A fresh world for every test of the file. After each: the Chatwoot simulator
 * must have refused nothing its spec would refuse, and no secret, derived key
 * or signature may appear in anything the world kept (logs at debug level,
 * errors, context, profile, inputs, outputs, relay answers, Chatwoot's data).
 */
export function useWorld(options: WorldOptions = {}): () => World {
  let current: World | undefined;
  const scanned = { tests: 0, bytesSearched: 0, secretsChecked: 0, leaks: 0 };
  let file = "world";
  beforeEach(async () => {
    file = basename(expect.getState().testPath ?? "world", ".test.ts");
    current = await startWorld(options);
  });
  afterEach(async () => {
    const world = current;
    current = undefined;
    if (world === undefined) return;
    try {
      expect(world.chatwoot.violations).toEqual([]);
      const scan = world.leaks();
      scanned.tests += 1;
      scanned.bytesSearched += scan.bytesSearched;
      scanned.secretsChecked += scan.secretsChecked;
      scanned.leaks += scan.leaks.length;
      expect(scan.leaks).toEqual([]);
    } finally {
      await world.close();
    }
  });
  afterAll(() => {
    if (scanned.tests > 0) writeHostileReport(`secrets-${file}`, scanned);
  });
  return () => {
    if (current === undefined) throw new Error("useWorld: the world exists only inside a test");
    return current;
  };
}
