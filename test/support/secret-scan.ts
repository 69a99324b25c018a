import { deriveKeys } from "../../src/core/derive-key";

export interface Secret {
  name: string;
  value: string;
}

export interface Haystack {
  where: string;
  text: string;
}

export interface Leak {
  secret: string;
  where: string;
}

/** A relay secret and every encoding of the keys derived from it. */
export function relaySecretForms(name: string, secret: string): Secret[] {
  const forms: Secret[] = [{ name, value: secret }];
  for (const [purpose, key] of Object.entries(deriveKeys(secret))) {
    for (const encoding of ["hex", "base64", "base64url"] as const) forms.push({ name: `${name} (${purpose} key, ${encoding})`, value: key.toString(encoding) });
  }
  return forms;
}

/** A signature header "sha256=<hex>" and its bare hex. */
export function signatureForms(name: string, signature: string): Secret[] {
  const hex = signature.replace(/^sha256=/, "");
  return hex.length < 16 ? [] : [{ name, value: hex }];
}

/** Every place where one of the secrets appears. */
export function findLeaks(haystacks: readonly Haystack[], secrets: readonly Secret[]): Leak[] {
  const leaks: Leak[] = [];
  for (const haystack of haystacks) {
    for (const secret of secrets) if (secret.value.length >= 8 && haystack.text.includes(secret.value)) leaks.push({ secret: secret.name, where: haystack.where });
  }
  return leaks;
}
