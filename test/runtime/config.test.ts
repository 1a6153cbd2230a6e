import path from 'node:path';
import { ConfigError, loadConfig } from '../../runtime/config';

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(loadConfig({}, '/srv/rebound')).toEqual({
      temporalAddress: 'localhost:7233',
      namespace: 'default',
      taskQueue: 'rebound',
      logLevel: 'info',
      execAllow: [],
      stateDir: '/srv/rebound/.rebound',
      uiPort: 8233,
      temporalPort: 7233,
      httpPort: 8080,
      webhookRateLimit: 6000,
    });
  });

  it('reads every variable and resolves the state directory against the working directory', () => {
    const config = loadConfig(
      {
        TEMPORAL_ADDRESS: 'temporal.internal:7300',
        TEMPORAL_NAMESPACE: 'ops',
        REBOUND_TASK_QUEUE: 'rebound-eu',
        REBOUND_LOG_LEVEL: 'debug',
        REBOUND_EXEC_ALLOW: ' systemctl, kubectl ,,',
        REBOUND_STATE_DIR: 'var/state',
        REBOUND_UI_PORT: '0',
        REBOUND_TEMPORAL_PORT: '17233',
        REBOUND_HTTP_PORT: '9090',
        REBOUND_WEBHOOK_TOKEN: 'a-token-of-24-characters',
        REBOUND_WEBHOOK_CONFIG: 'etc/webhook.yaml',
        REBOUND_AUTHZ_FILE: 'etc/authz.yaml',
        REBOUND_WEBHOOK_RATE_LIMIT: '120',
        REBOUND_METRICS_PORT: '9464',
        REBOUND_METRICS_HOST: '0.0.0.0',
      },
      '/srv/rebound',
    );
    expect(config).toEqual({
      temporalAddress: 'temporal.internal:7300',
      namespace: 'ops',
      taskQueue: 'rebound-eu',
      logLevel: 'debug',
      execAllow: ['systemctl', 'kubectl'],
      stateDir: path.resolve('/srv/rebound', 'var/state'),
      uiPort: 0,
      temporalPort: 17233,
      httpPort: 9090,
      webhookToken: 'a-token-of-24-characters',
      webhookConfigFile: path.resolve('/srv/rebound', 'etc/webhook.yaml'),
      authzFile: path.resolve('/srv/rebound', 'etc/authz.yaml'),
      webhookRateLimit: 120,
      metrics: { host: '0.0.0.0', port: 9464 },
    });
  });

  it('serves no metrics unless REBOUND_METRICS_PORT is set, on 127.0.0.1 by default', () => {
    expect(loadConfig({ REBOUND_METRICS_HOST: '0.0.0.0' }).metrics).toBeUndefined();
    expect(loadConfig({ REBOUND_METRICS_PORT: '0' }).metrics).toEqual({ host: '127.0.0.1', port: 0 });
    expect(() => loadConfig({ REBOUND_METRICS_PORT: 'http' })).toThrow('REBOUND_METRICS_PORT: expected a port number 0-65535 (0 picks a free port), got "http"');
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: '', REBOUND_UI_PORT: ' ', REBOUND_LOG_LEVEL: '' });
    expect(config.temporalAddress).toBe('localhost:7233');
    expect(config.uiPort).toBe(8233);
    expect(config.logLevel).toBe('info');
  });

  it('returns a frozen object, the allow-list included', () => {
    const config = loadConfig({ REBOUND_EXEC_ALLOW: 'systemctl' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.execAllow)).toBe(true);
  });

  it.each([
    ['TEMPORAL_ADDRESS', 'localhost', 'expected host:port'],
    ['TEMPORAL_ADDRESS', 'localhost:99999', 'port 0-65535'],
    ['TEMPORAL_NAMESPACE', 'my namespace', 'without spaces'],
    ['REBOUND_TASK_QUEUE', 'a queue', 'without spaces'],
    ['REBOUND_LOG_LEVEL', 'verbose', 'expected one of fatal, error, warn, info, debug, trace, silent'],
    ['REBOUND_EXEC_ALLOW', 'systemctl,rm -rf', 'comma-separated list of command names'],
    ['REBOUND_UI_PORT', 'http', 'expected a port number 0-65535'],
    ['REBOUND_TEMPORAL_PORT', '70000', 'expected a port number 0-65535'],
    ['REBOUND_WEBHOOK_RATE_LIMIT', '100/s', 'expected requests per minute'],
  ])('rejects %s=%j with a one-line ConfigError naming the variable', (variable, value, expectation) => {
    let thrown: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as ConfigError).message;
    expect(message.startsWith(`${variable}: `)).toBe(true);
    expect(message).toContain(expectation);
    expect(message).toContain(JSON.stringify(value));
    expect(message).not.toContain('\n');
  });

  it('never echoes a refused webhook token', () => {
    expect(() => loadConfig({ REBOUND_WEBHOOK_TOKEN: 'short-secret' })).toThrow(/^REBOUND_WEBHOOK_TOKEN: expected a token of at least 16 characters$/);
  });
});
