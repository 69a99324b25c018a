/** The platform's JSON schemas for extensions, shipped untyped in @cognigy/rest-api-client's build. */
declare module "@cognigy/rest-api-client/build/shared/interfaces/resources/IExtension" {
  export const extensionNodePackageDataSchema: Record<string, unknown>;
  export const extensionDataSchema: Record<string, unknown>;
}
