using OrleansTenancy.Runtime.Tests.Infrastructure;

namespace OrleansTenancy.Runtime.Tests.Grains;

public interface ITurnGrain : IGrainWithStringKey
{
    Task Block(string gate);

    Task Record(string entry);

    [AlwaysInterleave]
    Task<string[]> GetLog();

    [AlwaysInterleave]
    Task<string> Interleaved();

    [ReadOnly]
    Task ReadBlock(string gate);

    [ReadOnly]
    Task ReadRecord(string entry);

    Task StartTimer(TimeSpan period);

    Task StopTimer();
}

/// <summary>A non-reentrant grain: calls run one at a time unless the method says otherwise.</summary>
public sealed class TurnGrain : Grain, ITurnGrain
{
    private readonly Probe _probe;
    private IGrainTimer? _timer;

    public TurnGrain() => _probe = Probe.For(GetPrimaryKeyString());

    public async Task Block(string gate)
    {
        _probe.Log($"{gate}:start");
        _probe.Signal($"entered:{gate}");
        await _probe.Event(gate).Task;
        _probe.Log($"{gate}:end");
    }

    public Task Record(string entry)
    {
        _probe.Log(entry);
        return Task.CompletedTask;
    }

    public Task<string[]> GetLog() => Task.FromResult(_probe.Entries);

    public Task<string> Interleaved() => Task.FromResult("interleaved");

    public Task ReadBlock(string gate) => Block(gate);

    public Task ReadRecord(string entry) => Record(entry);

    public Task StartTimer(TimeSpan period)
    {
        _timer = RegisterGrainTimer(
            _ =>
            {
                var tick = _probe.Increment("ticks");
                _probe.Log($"tick{tick}");
                _probe.Signal($"tick{tick}");
                return Task.CompletedTask;
            },
            period,
            period);
        return Task.CompletedTask;
    }

    public Task StopTimer()
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }
}

public interface IReentrantGrain : IGrainWithStringKey
{
    Task Block(string gate);

    /// <summary>Interleaves many short turns; returns how many times two turns overlapped on different threads.</summary>
    Task<int> Churn();

    Task Record(string entry);
}

[Reentrant]
public sealed class ReentrantGrain : Grain, IReentrantGrain
{
    private readonly Probe _probe;
    private int _inTurn;
    private int _overlaps;

    public ReentrantGrain() => _probe = Probe.For(GetPrimaryKeyString());

    public async Task Block(string gate)
    {
        _probe.Signal($"entered:{gate}");
        await _probe.Event(gate).Task;
        _probe.Log($"{gate}:end");
    }

    public Task Record(string entry)
    {
        _probe.Log(entry);
        return Task.CompletedTask;
    }

    public async Task<int> Churn()
    {
        for (var i = 0; i < 20; i++)
        {
            if (Interlocked.Exchange(ref _inTurn, 1) != 0)
            {
                Interlocked.Increment(ref _overlaps);
            }

            Thread.SpinWait(20000);
            Volatile.Write(ref _inTurn, 0);
            await Task.Yield();
        }

        return Volatile.Read(ref _overlaps);
    }
}

public interface IWorkerGrain : IGrainWithStringKey
{
    ValueTask<int> Block(string gate);
}

[StatelessWorker(3)]
public sealed class WorkerGrain : Grain, IWorkerGrain
{
    private readonly Probe _probe;
    private readonly int _instance;

    public WorkerGrain()
    {
        _probe = Probe.For(GetPrimaryKeyString());
        _instance = _probe.Increment("instances");
    }

    public async ValueTask<int> Block(string gate)
    {
        _probe.Increment("entered");
        _probe.Signal($"entered:{_probe.Count("entered")}");
        await _probe.Event(gate).Task;
        return _instance;
    }
}
