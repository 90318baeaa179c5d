using System.Collections.Concurrent;
using System.Text.Json;
using Orleans.Storage;

namespace OrleansTenancy.Grains.Tests.Infrastructure;

/// <summary>
/// Levers on the grain storage of every silo of a test cluster: writes can be held at a gate (to observe what callers
/// see before a write completes) and made to fail. Counts the writes that reached the real provider and keeps what
/// each grain's last successful write stored (what a restart would load).
/// </summary>
public sealed class StorageControl
{
    private readonly ConcurrentDictionary<string, string> _lastWritten = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _nextWriteOf = new(StringComparer.Ordinal);
    private TaskCompletionSource? _gate;
    private TaskCompletionSource _writeStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writes;
    private int _reads;

    public int Writes => Volatile.Read(ref _writes);

    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Completes when the next write of the grain keyed <paramref name="key"/> succeeds.</summary>
    public Task NextWriteOf(string key) =>
        _nextWriteOf.GetOrAdd("/" + key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public Exception? FailWrites { get; set; }

    /// <summary>Completes when the next write starts waiting at the gate.</summary>
    public Task WriteStarted => _writeStarted.Task;

    public void HoldWrites()
    {
        _writeStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void ReleaseWrites()
    {
        var gate = _gate;
        _gate = null;
        gate?.TrySetResult();
    }

    /// <summary>What storage holds for the grain keyed <paramref name="key"/>: its last successful write.</summary>
    public T? LastWritten<T>(string key) =>
        _lastWritten.Where(pair => pair.Key.EndsWith("/" + key, StringComparison.Ordinal)).Select(pair => JsonSerializer.Deserialize<T>(pair.Value)).SingleOrDefault();

    internal async Task BeforeWriteAsync()
    {
        if (_gate is { } gate)
        {
            _writeStarted.TrySetResult();
            await gate.Task;
        }

        if (FailWrites is { } failure)
        {
            throw failure;
        }
    }

    internal void Written(string grainId, string snapshot)
    {
        _lastWritten[grainId] = snapshot;
        Interlocked.Increment(ref _writes);
        foreach (var waiter in _nextWriteOf.Where(pair => grainId.EndsWith(pair.Key, StringComparison.Ordinal)).ToList())
        {
            if (_nextWriteOf.TryRemove(waiter))
            {
                waiter.Value.TrySetResult();
            }
        }
    }

    internal void Read() => Interlocked.Increment(ref _reads);
}

/// <summary>A silo's real grain storage behind the levers of a <see cref="StorageControl"/>.</summary>
public sealed class ControllableStorage(IGrainStorage inner, StorageControl control) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        control.Read();
        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Serialise now, as the real providers do before their first await, then wait at the gate.
        var snapshot = JsonSerializer.Serialize(grainState.State);
        var copy = new GrainState<T>(JsonSerializer.Deserialize<T>(snapshot)!, grainState.ETag) { RecordExists = grainState.RecordExists };
        await control.BeforeWriteAsync();
        await inner.WriteStateAsync(stateName, grainId, copy);
        control.Written(grainId.ToString(), snapshot);
        grainState.ETag = copy.ETag;
        grainState.RecordExists = copy.RecordExists;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}
