import { withHeartbeats } from '../../activities/heartbeat';
import { activityEnvironment } from './support';

describe('withHeartbeats', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'hrtime', 'performance'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('heartbeats every interval while the work runs, and stops when it settles', async () => {
    const environment = activityEnvironment();
    const heartbeats = jest.fn();
    environment.on('heartbeat', heartbeats);
    let finish!: (value: string) => void;
    const work = new Promise<string>((resolve) => (finish = resolve));

    const running = environment.run(() => withHeartbeats(work, 1000));
    await jest.advanceTimersByTimeAsync(3500);
    expect(heartbeats).toHaveBeenCalledTimes(3);

    finish('done');
    await expect(running).resolves.toBe('done');
    await jest.advanceTimersByTimeAsync(5000);
    expect(heartbeats).toHaveBeenCalledTimes(3);
  });

  it('stops heartbeating when the work fails', async () => {
    const environment = activityEnvironment();
    const heartbeats = jest.fn();
    environment.on('heartbeat', heartbeats);

    await expect(environment.run(() => withHeartbeats(Promise.reject(new Error('boom')), 1000))).rejects.toThrow('boom');
    await jest.advanceTimersByTimeAsync(5000);
    expect(heartbeats).not.toHaveBeenCalled();
  });
});
