import { resolve } from "path";
import { loadEnvFile } from "./load-env-file";
import { parseRelayConfig, type RelayConfig } from "./relay-config";
import { createRelayService } from "./relay-service";

/**
 * `npm run relay`: configuration from the environment, completed by `.env`
 * in the working directory when there is one (a variable already set wins),
 * checked first (a bad value stops the start with the variable's name), then
 * listen and deliver. SIGTERM/SIGINT: stop intake, finish in-flight
 * deliveries, exit.
 */
/** Where the outbox is, for the start line: SQLite's directory, or only "postgres" (never the URL: it may hold a password). */
function outboxLog(config: RelayConfig): { outbox: "sqlite"; dataDir: string } | { outbox: "postgres" } {
  return config.databaseUrl === null ? { outbox: "sqlite", dataDir: config.dataDir } : { outbox: "postgres" };
}

async function main(): Promise<void> {
  const envFile = loadEnvFile(resolve(".env"), process.env);
  if (envFile.status === "invalid") {
    process.stderr.write(`Relay configuration: ${envFile.message}.\nSee .env.example for the format and every variable.\n`);
    process.exit(78);
  }
  const parsed = parseRelayConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message}\nSee .env.example for every variable.\n`);
    process.exit(78);
  }
  const service = createRelayService(parsed.config);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    service.app.log.info({ signal }, "stopping: intake closed, finishing in-flight deliveries");
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  if (parsed.config.pathTokenRefused) {
    service.app.log.warn("CHATWOOT_WEBHOOK_PATH_TOKEN is ignored: webhook secrets are set, so the unsigned route answers 401 (set ALLOW_UNSIGNED_PATH_TOKEN=true while older Chatwoot inboxes still use it)");
  }
  if (envFile.status === "loaded") {
    service.app.log.info({ envFile: envFile.path, fromFile: envFile.set, keptFromEnvironment: envFile.kept }, "read variables from the .env file (names only; a variable already set in the environment wins)");
  }
  const address = await service.start();
  service.app.log.info({ address, metricsAddress: service.metricsUrl(), injectMode: parsed.config.injectMode, ...outboxLog(parsed.config) }, "relay listening");
}

main().catch((error: unknown) => {
  process.stderr.write(`relay failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
