using System.Collections.Concurrent;

namespace OrleansTenancy.Runtime.Tests.Infrastructure;

/// <summary>What a test and its grains share, by grain key: an event log, named gates and signals, counters.</summary>
public sealed class Probe
{
    private static readonly ConcurrentDictionary<string, Probe> All = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new();
    private readonly ConcurrentDictionary<string, int> _counters = new();
    private readonly List<string> _log = [];

    public static Probe For(string key) => All.GetOrAdd(key, _ => new Probe());

    public static string NewKey(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public void Log(string entry)
    {
        lock (_log)
        {
            _log.Add(entry);
        }
    }

    public string[] Entries
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>A one-shot event: grains complete it (Signal), tests await it (WaitAsync), or the reverse for gates.</summary>
    public TaskCompletionSource Event(string name) =>
        _signals.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Signal(string name) => Event(name).TrySetResult();

    public Task WaitAsync(string name) =>
        Event(name).Task.WaitAsync(TimeSpan.FromSeconds(10));

    public int Increment(string counter) => _counters.AddOrUpdate(counter, 1, (_, n) => n + 1);

    public int Count(string counter) => _counters.GetValueOrDefault(counter);
}
