// The proxy as the preload's parts see it. Types only: this module has no code.

/** Where the proxy listens, and the Proxy-Authorization value that tags this process's connections. */
export interface ProxyEndpoint {
  host: string;
  port: number;
  /** The whole header value ("Basic ...") or undefined to send none. */
  authorization: string | undefined;
}
