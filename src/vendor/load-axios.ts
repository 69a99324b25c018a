import type { AxiosStatic } from "axios";

/**
 * axios (with form-data and mime-db) costs more to load than the rest of the
 * extension together; it is bundled apart (build/axios.js) and loaded on the
 * first request, not when Cognigy requires the module. The module system keeps
 * it after the first load.
 */
export async function loadAxios(): Promise<AxiosStatic> {
  const loaded = await import("./axios");
  return loaded.default;
}
