import { createRoutePrefetch } from "../../src/relay/route-prefetch";

const row = (key: string) => ({ key, issuedAt: 1, sealed: `sealed-${key}`, seenAt: 2 });

describe("route prefetch: the store's asynchronous read handed to a synchronous lookup", () => {
  it("hands the row read for a key to the next lookup of that key, once", async () => {
    const reads: string[] = [];
    const prefetch = createRoutePrefetch(async (key) => {
      reads.push(key);
      return key === "known" ? row(key) : undefined;
    });
    await prefetch.prefetch("known");
    await prefetch.prefetch("unknown");
    expect(prefetch.lookup("known")).toEqual(row("known"));
    expect(prefetch.lookup("known")).toBeUndefined();
    expect(prefetch.lookup("unknown")).toBeUndefined();
    expect(reads).toEqual(["known", "unknown"]);
  });

  it("answers undefined for a key never read", () => {
    expect(createRoutePrefetch(async (key) => row(key)).lookup("never")).toBeUndefined();
  });

  it("keeps at most 1,000 rows not looked up, the oldest out first", async () => {
    const prefetch = createRoutePrefetch(async (key) => row(key));
    for (let index = 0; index <= 1_000; index += 1) await prefetch.prefetch(`key-${index}`);
    expect(prefetch.lookup("key-0")).toBeUndefined();
    expect(prefetch.lookup("key-1")).toEqual(row("key-1"));
    expect(prefetch.lookup("key-1000")).toEqual(row("key-1000"));
  });

  it("passes a failed read on to the caller (intake answers 503)", async () => {
    const prefetch = createRoutePrefetch(async () => {
      throw new Error("database away");
    });
    await expect(prefetch.prefetch("key")).rejects.toThrow("database away");
  });
});
