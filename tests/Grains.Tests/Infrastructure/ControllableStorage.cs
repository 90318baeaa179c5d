using System.Collections.Concurrent;
using System.Text.Json;
using Orleans.Storage;

namespace OrleansTenancy.Grains.Tests.Infrastructure;

/// <summary>
/// Levers on the grain storage of every silo of a test cluster: writes and reads can be held at a gate (to observe what
/// callers see before a write or a re-read completes) and writes made to fail. Counts the writes that reached the real
/// provider and keeps what each grain's last successful write stored (what a restart would load).
/// </summary>
public sealed class StorageControl
{
    private readonly ConcurrentDictionary<string, string> _lastWritten = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _nextWriteOf = new(StringComparer.Ordinal);
    private readonly Gate _writes = new();
    private readonly Gate _reads = new();
    private int _writeCount;
    private int _readCount;

    public int Writes => Volatile.Read(ref _writeCount);

    public int Reads => Volatile.Read(ref _readCount);

    /// <summary>Completes when the next write of the grain keyed <paramref name="key"/> succeeds.</summary>
    public Task NextWriteOf(string key) =>
        _nextWriteOf.GetOrAdd("/" + key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public Exception? FailWrites { get; set; }

    /// <summary>Completes when the next write starts waiting at the gate.</summary>
    public Task WriteStarted => _writes.Started;

    public void HoldWrites() => _writes.Hold();

    public void ReleaseWrites() => _writes.Release();

    /// <summary>Completes when the next read starts waiting at the gate.</summary>
    public Task ReadStarted => _reads.Started;

    /// <summary>Holds every read (a grain's activation, or its re-read after a failed write) until <see cref="ReleaseReads"/>.</summary>
    public void HoldReads() => _reads.Hold();

    public void ReleaseReads() => _reads.Release();

    /// <summary>What storage holds for the grain keyed <paramref name="key"/>: its last successful write.</summary>
    public T? LastWritten<T>(string key) =>
        _lastWritten.Where(pair => pair.Key.EndsWith("/" + key, StringComparison.Ordinal)).Select(pair => JsonSerializer.Deserialize<T>(pair.Value)).SingleOrDefault();

    internal async Task BeforeWriteAsync()
    {
        await _writes.PassAsync();
        if (FailWrites is { } failure)
        {
            throw failure;
        }
    }

    internal void Written(string grainId, string snapshot)
    {
        _lastWritten[grainId] = snapshot;
        Interlocked.Increment(ref _writeCount);
        foreach (var waiter in _nextWriteOf.Where(pair => grainId.EndsWith(pair.Key, StringComparison.Ordinal)).ToList())
        {
            if (_nextWriteOf.TryRemove(waiter))
            {
                waiter.Value.TrySetResult();
            }
        }
    }

    internal Task BeforeReadAsync()
    {
        Interlocked.Increment(ref _readCount);
        return _reads.PassAsync();
    }

    /// <summary>Holds the operations of one kind while closed; says when the first one is waiting.</summary>
    private sealed class Gate
    {
        private TaskCompletionSource? _closed;
        private TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Hold()
        {
            _started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public void Release()
        {
            var closed = _closed;
            _closed = null;
            closed?.TrySetResult();
        }

        public async Task PassAsync()
        {
            if (_closed is { } closed)
            {
                _started.TrySetResult();
                await closed.Task;
            }
        }
    }
}

/// <summary>A silo's real grain storage behind the levers of a <see cref="StorageControl"/>.</summary>
public sealed class ControllableStorage(IGrainStorage inner, StorageControl control) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await control.BeforeReadAsync();
        await inner.ReadStateAsync(stateName, grainId, grainState);
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
