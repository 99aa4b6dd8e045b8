/**
 * Configured URLs (`LOKI_URL`) may carry secrets: `user:token@` before the
 * host, or a token in the query string. The app never shows those parts: not
 * in handler names, metrics labels, log lines, errors or API answers. It does
 * this itself rather than rely on a transport doing it.
 */

const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>]*)/gi;

/** A URL as it may be shown: without `user:password@`, query string or fragment. */
export function displayUrl(value: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)?(.*)$/is.exec(value)!;
  const scheme = match[1] ?? '';
  let rest = match[2]!;
  rest = rest.replace(/[?#][\s\S]*$/, '');
  // User info ends at the last `@` before the path.
  const slash = rest.search(/[/\\]/);
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const at = authority.lastIndexOf('@');
  if (at >= 0) rest = rest.slice(at + 1);
  return `${scheme}${rest}`;
}

/** `text` with every `scheme://...` URL in it shown as `displayUrl` shows it. */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (_all, scheme: string, rest: string) => displayUrl(`${scheme}${rest}`));
}

export interface SplitUrl {
  /** The URL without user info (the query string stays: the request may need it). */
  url: string;
  username: string | null;
  password: string | null;
}

/**
 * Moves `user:password@` out of a URL, so it can be sent as basic auth and the
 * URL handed on holds no credentials. Throws a TypeError that shows only
 * `displayUrl(value)` when the value is not a URL.
 */
export function splitCredentials(value: string): SplitUrl {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`not a valid URL: ${JSON.stringify(displayUrl(value))}`);
  }
  if (url.username === '' && url.password === '') return { url: value, username: null, password: null };
  const username = url.username === '' ? null : decodeURIComponent(url.username);
  const password = url.password === '' ? null : decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { url: url.href, username, password };
}
