// The userinfo of a URL (`scheme://user:password@host`) found anywhere in a text: what
// scenario error messages and written files must never show.

export const redactedText = '<redacted>';

const urlUserinfo = /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]*)@/gi;

/** `http://user:<redacted>@host/`, `http://<redacted>@host/`: a lone user name is the credential itself. */
export function redactUrlCredentials(text: string): string {
  return text.replace(urlUserinfo, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon >= 0 ? `${userinfo.slice(0, colon)}:` : ''}${redactedText}@`;
  });
}

/** The secret part of every URL's userinfo in `text`, as typed and percent-decoded. */
export function urlSecrets(text: string): string[] {
  const secrets: string[] = [];
  for (const match of text.matchAll(urlUserinfo)) {
    const userinfo = match[2]!;
    const colon = userinfo.indexOf(':');
    const secret = colon >= 0 ? userinfo.slice(colon + 1) : userinfo;
    if (secret !== '') secrets.push(secret, safeDecode(secret));
  }
  return secrets;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
