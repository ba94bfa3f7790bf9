// The settings' checks: a change through the control API names every bad setting; settings.json
// keeps its good values and falls back, by name, on its bad ones; per-host TLS exceptions match
// exactly the hosts they say.
import { describe, expect, it } from 'vitest';
import { checkSettingsPatch, defaults, parseSettingsText } from '../../src/settings/settings-rules.js';
import { tlsExceptionMatches, tlsExceptionProblem } from '../../src/proxy/tls-exceptions.js';

describe('settings checks', () => {
  it('accepts a good change and normalizes hosts (lower case, no repeats) and the upstream (trimmed)', () => {
    expect(checkSettingsPatch({ proxyPort: 9001, insecureHosts: ['Dev.Local', 'dev.local', '127.0.0.1:8443'], upstream: ' wss://api.test:3000/base ' }))
      .toEqual({ proxyPort: 9001, insecureHosts: ['dev.local', '127.0.0.1:8443'], upstream: 'wss://api.test:3000/base' });
  });

  it('names every bad setting in one error', () => {
    expect(() => checkSettingsPatch({ proxyPort: 70000, insecure: 'yes', colour: 'red', maxStoredPayload: 1.5 })).toThrow(
      'proxyPort: must be from 0 to 65535, not 70000; insecure: takes true or false; unknown setting "colour" (known: proxyPort, uiPort, upstream, insecure, insecureHosts, maxStoredPayload, connectTimeout, diskBudget, savedFilters); maxStoredPayload: takes a whole number from 0 to 2147483648, not 1.5',
    );
  });

  it('refuses an upstream that is not a ws, wss, http or https URL, or that carries a query', () => {
    expect(() => checkSettingsPatch({ upstream: 'ftp://x' })).toThrow('upstream: must be a ws://, wss://, http:// or https:// URL, not "ftp://x"');
    expect(() => checkSettingsPatch({ upstream: 'localhost:3000' })).toThrow('upstream: must be a ws://, wss://, http:// or https:// URL, not "localhost:3000"');
    expect(() => checkSettingsPatch({ upstream: 'ws://x/?a=1' })).toThrow('upstream: must not hold a query or fragment');
    expect(checkSettingsPatch({ upstream: '' })).toEqual({ upstream: '' });
  });

  it('refuses a TLS exception that is a URL or has a bad port', () => {
    expect(() => checkSettingsPatch({ insecureHosts: ['https://dev.local/'] })).toThrow('insecureHosts: "https://dev.local/" is not a host (give a host name or IP, optionally with :port, not a URL)');
    expect(() => checkSettingsPatch({ insecureHosts: ['dev.local:0'] })).toThrow('insecureHosts: "dev.local:0" has a port outside 1-65535');
    expect(() => checkSettingsPatch({ insecureHosts: [''] })).toThrow('insecureHosts: "" is empty');
  });

  it('checks saved filters: names unique, regex compiles, only known fields', () => {
    expect(checkSettingsPatch({ savedFilters: [{ name: 'errors', filter: { text: 'error', flags: 'i', direction: 'receive', regex: '' } }] }))
      .toEqual({ savedFilters: [{ name: 'errors', filter: { text: 'error', flags: 'i', direction: 'receive' } }] });
    expect(() => checkSettingsPatch({ savedFilters: [{ name: 'a', filter: {} }, { name: 'a', filter: {} }] })).toThrow('savedFilters: the name "a" is used twice');
    expect(() => checkSettingsPatch({ savedFilters: [{ name: 'bad', filter: { regex: '(' } }] })).toThrow(/^savedFilters: filter "bad": regex does not compile: Invalid regular expression/);
    expect(() => checkSettingsPatch({ savedFilters: [{ name: 'x', filter: { colour: 1 } }] })).toThrow('savedFilters: filter "x": has an unknown field "colour"');
  });

  it('reads settings.json keeping good values, naming and replacing bad ones, ignoring unknown ones', () => {
    const { settings, problems } = parseSettingsText(JSON.stringify({ proxyPort: 9100, uiPort: -1, insecureHosts: ['localhost'], futureSetting: 1 }));
    expect(settings).toEqual({ ...defaults(), proxyPort: 9100, insecureHosts: ['localhost'] });
    expect(problems).toEqual(['settings.json: uiPort: must be from 0 to 65535, not -1; using the default']);
    expect(parseSettingsText('{"proxyPort": 1').problems[0]).toMatch(/^settings.json is not JSON \(.+\); using the defaults$/);
    expect(parseSettingsText('[1]')).toEqual({ settings: defaults(), problems: ['settings.json does not hold an object; using the defaults'] });
  });
});

describe('per-host TLS exceptions', () => {
  it('match a host on any port, or only on the port given', () => {
    expect(tlsExceptionMatches(['localhost'], 'localhost', 8443)).toBe(true);
    expect(tlsExceptionMatches(['LOCALHOST'], 'localhost', 8443)).toBe(true);
    expect(tlsExceptionMatches(['localhost:8443'], 'localhost', 8443)).toBe(true);
    expect(tlsExceptionMatches(['localhost:8443'], 'localhost', 443)).toBe(false);
    expect(tlsExceptionMatches(['localhost'], '127.0.0.1', 8443)).toBe(false);
  });

  it('match subdomains with *. but not the domain itself or a lookalike', () => {
    expect(tlsExceptionMatches(['*.dev.test'], 'api.dev.test', 443)).toBe(true);
    expect(tlsExceptionMatches(['*.dev.test'], 'a.b.dev.test', 443)).toBe(true);
    expect(tlsExceptionMatches(['*.dev.test'], 'dev.test', 443)).toBe(false);
    expect(tlsExceptionMatches(['*.dev.test'], 'evildev.test', 443)).toBe(false);
  });

  it('match IPv6 literals with or without brackets and port', () => {
    expect(tlsExceptionMatches(['::1'], '::1', 8443)).toBe(true);
    expect(tlsExceptionMatches(['[::1]:8443'], '::1', 8443)).toBe(true);
    expect(tlsExceptionMatches(['[::1]:8443'], '::1', 9443)).toBe(false);
    expect(tlsExceptionProblem('[::1]:8443')).toBeUndefined();
    expect(tlsExceptionProblem('a b')).toBe('is not a host (give a host name or IP, optionally with :port, not a URL)');
  });
});
