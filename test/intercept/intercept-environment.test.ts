// The environment `framescope run` and `framescope shell` give a client, variable by variable.
import { describe, expect, it } from 'vitest';
import { interceptVariables, javaOptions, quoteNodeOption } from '../../src/intercept/intercept-environment.js';
import { electronArguments } from '../../src/intercept/electron-arguments.js';
import { launchTagFromAuthorization, newLaunchTag, taggedProxyUrl } from '../../src/proxy/launch-tag.js';

const tag = { kind: 'run', program: 'node', id: '5f2c9a1b' } as const;
const options = {
  proxy: '127.0.0.1:8080',
  tag,
  caCertPath: '/home/u/.config/framescope/ca/ca.pem',
  bundlePath: '/home/u/.config/framescope/intercept/ca-bundle.pem',
  javaTruststorePath: '/home/u/.config/framescope/intercept/java-truststore-0123456789abcdef.p12',
  preloadPath: '/opt/framescope/dist/src/intercept/node-preload/preload.cjs',
};
const proxyUrl = 'http://run.node:5f2c9a1b@127.0.0.1:8080';

describe('interceptVariables', () => {
  it('sets every proxy, trust, Node and Java variable, and empties NO_PROXY', () => {
    expect(interceptVariables(options, {})).toEqual({
      HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, ALL_PROXY: proxyUrl,
      http_proxy: proxyUrl, https_proxy: proxyUrl, all_proxy: proxyUrl,
      NO_PROXY: '', no_proxy: '',
      SSL_CERT_FILE: options.bundlePath, REQUESTS_CA_BUNDLE: options.bundlePath, CURL_CA_BUNDLE: options.bundlePath, GIT_SSL_CAINFO: options.bundlePath,
      NODE_EXTRA_CA_CERTS: options.caCertPath, DENO_CERT: options.caCertPath,
      FRAMESCOPE_PROXY: proxyUrl,
      NODE_OPTIONS: `--require ${options.preloadPath}`,
      JAVA_TOOL_OPTIONS: '-Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=8080 -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=8080 -Dhttp.nonProxyHosts= ' +
        `-Djavax.net.ssl.trustStore=${options.javaTruststorePath} -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=framescope`,
    });
  });

  it("keeps the user's NODE_OPTIONS and JAVA_TOOL_OPTIONS, and adds the preload once when nested", () => {
    const once = interceptVariables(options, { NODE_OPTIONS: '--max-old-space-size=4096', JAVA_TOOL_OPTIONS: '-Xmx1g' });
    expect(once.NODE_OPTIONS).toBe(`--max-old-space-size=4096 --require ${options.preloadPath}`);
    expect(once.JAVA_TOOL_OPTIONS!.startsWith('-Xmx1g -Dhttp.proxyHost=127.0.0.1 ')).toBe(true);
    expect(interceptVariables(options, { NODE_OPTIONS: once.NODE_OPTIONS }).NODE_OPTIONS).toBe(once.NODE_OPTIONS);
  });

  it('quotes a preload path with spaces the way NODE_OPTIONS reads it', () => {
    expect(quoteNodeOption('/Users/a b/Library/Application Support/x.cjs')).toBe('"/Users/a b/Library/Application Support/x.cjs"');
    expect(quoteNodeOption('C:\\Program Files\\"x"')).toBe('"C:\\\\Program Files\\\\\\"x\\""');
  });

  it('gives Java the proxy without a truststore when keytool could not make one', () => {
    expect(javaOptions({ proxy: '[::1]:9000' })).toBe('-Dhttp.proxyHost=::1 -Dhttp.proxyPort=9000 -Dhttps.proxyHost=::1 -Dhttps.proxyPort=9000 -Dhttp.nonProxyHosts=');
  });
});

describe('launch tags', () => {
  it('travel as proxy credentials and read back from Proxy-Authorization', () => {
    expect(taggedProxyUrl('127.0.0.1:8080', tag)).toBe(proxyUrl);
    const header = `Basic ${Buffer.from('run.node:5f2c9a1b').toString('base64')}`;
    expect(launchTagFromAuthorization(header)).toEqual(tag);
    expect(launchTagFromAuthorization(`Basic ${Buffer.from('shell:0a0b0c0d').toString('base64')}`)).toEqual({ kind: 'shell', id: '0a0b0c0d' });
  });

  it('ignore credentials that are not a launch tag', () => {
    for (const user of ['alice:secret', 'root.node:5f2c9a1b', 'run.node:5f2c9a1', 'run.no de:5f2c9a1b']) {
      expect(launchTagFromAuthorization(`Basic ${Buffer.from(user).toString('base64')}`)).toBeUndefined();
    }
    expect(launchTagFromAuthorization('Bearer abc')).toBeUndefined();
    expect(launchTagFromAuthorization(undefined)).toBeUndefined();
  });

  it("name the program by its base name, lower case, without an .exe", () => {
    const made = newLaunchTag('run', 'C:\\Tools\\My App.EXE');
    expect(made.program).toBe('myapp');
    expect(made.id).toMatch(/^[0-9a-f]{8}$/);
    expect(newLaunchTag('shell').program).toBeUndefined();
  });
});

describe('electronArguments', () => {
  it('adds the proxy, proxies loopback, and accepts the given SPKI fingerprints, in that order', () => {
    expect(electronArguments({ proxy: '127.0.0.1:8080', spkiFingerprints: ['bGVhZg==', 'Y2E='] })).toEqual([
      '--proxy-server=http://127.0.0.1:8080',
      '--proxy-bypass-list=<-loopback>',
      '--ignore-certificate-errors-spki-list=bGVhZg==,Y2E=',
    ]);
  });
});
