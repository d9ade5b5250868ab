// Adds a name to the `Vary` response header once.
import type { HttpHeaders } from '../http-headers.js';

export function appendVary(headers: HttpHeaders, name: string): void {
  const current = headers.get('vary');
  if (current === null) {
    headers.set('vary', name);
    return;
  }
  const lower = name.toLowerCase();
  if (current.split(',').some((part) => part.trim().toLowerCase() === lower || part.trim() === '*')) return;
  headers.set('vary', `${current}, ${name}`);
}
