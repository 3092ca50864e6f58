// The bearer token of `http.token_file`: every route but /healthz needs it once it is set. Scripts
// and Prometheus send `Authorization: Bearer <token>`; a browser, which cannot add that header to a
// page it navigates to, signs in once through a form that sets the same token as a cookie.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'faultline_token';

/** Compares in constant time: digests first, so neither the length nor a prefix of the token leaks. */
export function sameToken(given: string, token: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** The token a request carries, from its Authorization header or its cookie, or null. */
export function presentedToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  const bearer = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1]!;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return decodeCookie(value.join('='));
  }
  return null;
}

function decodeCookie(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null; // a malformed escape is no token
  }
}

export function authorized(req: IncomingMessage, token: string | null): boolean {
  if (token === null) return true;
  const given = presentedToken(req);
  return given !== null && sameToken(given, token);
}

/**
 * The cookie a signed-in browser keeps: HttpOnly (the page's script never sees it), SameSite=Strict
 * (no other site's page can send it), for the browser session only.
 */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The sign-in form a browser gets with its 401: static HTML, no script, no style (the CSP allows neither inline). */
export const SIGN_IN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>faultline: sign in</title></head>
<body><h1>faultline</h1><p>This agent's page needs its token (the first line of <code>http.token_file</code>).</p>
<form method="post" action="/sign-in"><label>Token <input name="token" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></body></html>
`;
