/**
 * An OpenStreetMap link for a point, or undefined when the coordinates are not
 * finite numbers in range. Chatwoot stores coordinates as floats defaulting to
 * 0.0 (`app/models/attachment.rb`), so 0/0 means "none given", not a place in
 * the Gulf of Guinea.
 */
export function mapLink(latitude: unknown, longitude: unknown): string | undefined {
  if (typeof latitude !== "number" || typeof longitude !== "number") return undefined;
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180 || (latitude === 0 && longitude === 0)) return undefined;
  // Six decimals are about 10 cm; more only makes the link longer.
  const lat = String(Number(latitude.toFixed(6)));
  const lon = String(Number(longitude.toFixed(6)));
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`;
}
