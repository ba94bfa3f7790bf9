// Sec-WebSocket-Extensions and Sec-WebSocket-Protocol values split for display (RFC 6455 §9.1, §11.3.4).
// The engine checks them; here they are only shown, so a malformed element is shown as written.

export interface ExtensionDisplay {
  /** The extension token, e.g. permessage-deflate. */
  name: string;
  /** Its parameters in order; value null when the parameter has no "=". */
  params: { name: string; value: string | null }[];
}

/** Splits an extensions header value at top-level commas and semicolons (quoted strings kept whole). */
export function splitExtensions(value: string): ExtensionDisplay[] {
  const out: ExtensionDisplay[] = [];
  for (const element of splitOutsideQuotes(value, ',')) {
    const [name, ...params] = splitOutsideQuotes(element, ';').map((p) => p.trim());
    if (!name) continue;
    out.push({
      name,
      params: params.filter(Boolean).map((p) => {
        const eq = p.indexOf('=');
        if (eq < 0) return { name: p, value: null };
        return { name: p.slice(0, eq).trim(), value: p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1') };
      }),
    });
  }
  return out;
}

export function splitProtocols(value: string): string[] {
  return value.split(',').map((p) => p.trim()).filter(Boolean);
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    if (c === '\\' && quoted && i + 1 < text.length) {
      current += c + text[++i];
      continue;
    }
    if (c === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Values of a header in a [name, value, ...] list, case-insensitively, in wire order. */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  const lower = name.toLowerCase();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === lower) values.push(rawHeaders[i + 1]!);
  return values;
}
